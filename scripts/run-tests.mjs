// Runs node's test runner over every *.test.ts under the given folders. Node 20's --test does
// not expand globs itself, so the files are listed here (sorted, node_modules and build output skipped).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const SKIP = new Set(["node_modules", "dist", "build", ".git"]);
const roots = process.argv.slice(2);
if (roots.length === 0) {
  console.error("usage: node scripts/run-tests.mjs <folder>...");
  process.exit(2);
}

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.ts")) out.push(relative(process.cwd(), path));
  }
  return out;
}

const files = roots.flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(", ")}`);
  process.exit(1);
}
const reporter = process.env.TEST_REPORTER ?? "spec";
const res = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-reporter=${reporter}`, "--test-concurrency=1", ...files], {
  stdio: "inherit",
});
process.exit(res.status ?? 1);
