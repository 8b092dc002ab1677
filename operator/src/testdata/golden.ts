import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Set UPDATE_GOLDEN=1 to rewrite expected outputs instead of comparing against them. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === "1";

export interface GoldenCase {
  name: string;
  input: string;
  outputPath: string;
}

/** Pairs `<case>.in.yaml` with `<case>.out.yaml`; an output without an input is an error. */
export function goldenCases(dir: string): GoldenCase[] {
  const files = readdirSync(dir).sort();
  const inputs = files.filter((f) => f.endsWith(".in.yaml")).map((f) => f.slice(0, -".in.yaml".length));
  const orphans = files.filter((f) => f.endsWith(".out.yaml") && !inputs.includes(f.slice(0, -".out.yaml".length)));
  if (orphans.length > 0) {
    if (UPDATE_GOLDEN) for (const o of orphans) rmSync(join(dir, o));
    else throw new Error(`orphan golden outputs without an input (delete them or run with UPDATE_GOLDEN=1): ${orphans.join(", ")}`);
  }
  return inputs.map((name) => ({ name, input: readFileSync(join(dir, `${name}.in.yaml`), "utf8"), outputPath: join(dir, `${name}.out.yaml`) }));
}

/** Compares `actual` with the golden file, or rewrites it under UPDATE_GOLDEN=1. Returns the expected text. */
export function expectGolden(outputPath: string, actual: string): string {
  if (UPDATE_GOLDEN) {
    writeFileSync(outputPath, actual);
    return actual;
  }
  if (!existsSync(outputPath)) throw new Error(`missing golden ${outputPath}: run with UPDATE_GOLDEN=1 to create it`);
  return readFileSync(outputPath, "utf8");
}
