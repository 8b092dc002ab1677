// `tsx test/e2e-kind/check-metrics.ts <stats.txt>`: checks a sidecar's /stats/prometheus (as run.sh
// saves it from the model pod) for the filter's counters. Exit 0 when they are all there, 1 if not.
import { readFileSync } from "node:fs";
import { assertFilterMetrics, EXPECTED_FILTER_COUNTERS } from "./filter-metrics.js";

const file = process.argv[2];
if (file === undefined || process.argv.length > 3) {
  process.stderr.write("usage: tsx test/e2e-kind/check-metrics.ts <prometheus text file>\n");
  process.exit(2);
}
try {
  const totals = assertFilterMetrics(readFileSync(file, "utf8"));
  for (const name of Object.keys(EXPECTED_FILTER_COUNTERS)) process.stdout.write(`ok ${name} ${totals.get(name)}\n`);
} catch (err) {
  process.stderr.write(`filter metrics: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
