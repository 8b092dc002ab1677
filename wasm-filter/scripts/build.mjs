// Compiles every AssemblyScript entry of the data plane into wasm-filter/build/:
//   assembly/index.ts        -> build/modelguard.wasm   (the filter, when it exists)
//   assembly/fixtures/*.ts   -> build/fixtures/<name>.wasm (test filters)
// Options live in asconfig.json (release target). Usage: node wasm-filter/scripts/build.mjs [--only <name>]
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** @returns {{ name: string, source: string, output: string }[]} */
export function findEntries() {
  const entries = [];
  if (existsSync(join(root, "assembly/index.ts"))) {
    entries.push({ name: "modelguard", source: "assembly/index.ts", output: "build/modelguard.wasm" });
  }
  const fixtures = join(root, "assembly/fixtures");
  if (existsSync(fixtures)) {
    for (const file of readdirSync(fixtures).sort()) {
      if (!file.endsWith(".ts")) continue;
      const name = file.slice(0, -3);
      entries.push({ name, source: `assembly/fixtures/${file}`, output: `build/fixtures/${name}.wasm` });
    }
  }
  return entries;
}

/** Compiles one entry; resolves to the compiler's diagnostics text, rejects on error. */
export async function buildEntry(entry) {
  mkdirSync(dirname(join(root, entry.output)), { recursive: true });
  let diagnostics = "";
  const sink = { write: (chunk) => { diagnostics += String(chunk); return true; } };
  // Write beside the target and rename: tests running in parallel may build the
  // same fixture, and none of them may read a half-written module.
  const partial = `${entry.output}.${process.pid}.partial`;
  const { error } = await asc.main(
    [entry.source, "--baseDir", root, "--config", "asconfig.json", "--target", "release", "--outFile", partial],
    { stdout: sink, stderr: sink },
  );
  if (error) throw new Error(`asc failed for ${entry.source}: ${error.message}\n${diagnostics}`);
  renameSync(join(root, partial), join(root, entry.output));
  return diagnostics;
}

async function main() {
  const onlyAt = process.argv.indexOf("--only");
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  const entries = findEntries().filter((e) => only === undefined || e.name === only);
  if (entries.length === 0) throw new Error(only ? `no entry named ${only}` : "no AssemblyScript entries found");
  for (const entry of entries) {
    const started = performance.now();
    const diagnostics = await buildEntry(entry);
    if (diagnostics.trim() !== "") process.stderr.write(diagnostics);
    const ms = Math.round(performance.now() - started);
    console.log(`built ${relative(process.cwd(), join(root, entry.output))} (${ms} ms)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
