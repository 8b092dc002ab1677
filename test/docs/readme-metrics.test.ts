// The README's metric tables against the names ModelGuard really exposes: the filter's Envoy
// counters (from the compiled module) and the operator's /metrics (from its registry).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { filterMetricNames, operatorMetricNames } from "../helm/emitted-metrics.js";

const README = resolve(dirname(fileURLToPath(import.meta.url)), "../../README.md");

/** Metric names in the first cell of the README's table rows, without label lists; `<code>` kept. */
function documentedNames(markdown: string): string[] {
  const names: string[] = [];
  for (const line of markdown.split("\n")) {
    if (!line.startsWith("| `modelguard_")) continue;
    const first = line.split(" | ")[0] ?? "";
    for (const m of first.matchAll(/`(modelguard_[a-z0-9_<>]+)(?:\{[^}]*\})?`/g)) names.push(m[1] ?? "");
  }
  return names;
}

/** `modelguard_requests_denied_<code>` stands for every name with that prefix. */
const matches = (documented: string, name: string) =>
  documented.includes("<") ? name.startsWith(documented.slice(0, documented.indexOf("<"))) : name === documented;

/** Histograms are exposed as _bucket, _sum and _count series of one documented family. */
const family = (name: string, all: readonly string[]) => {
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return base !== name && all.includes(`${base}_bucket`) ? base : name;
};

/** prom-client's process and Node.js metrics: documented as a group, not one by one. */
const isRuntimeMetric = (name: string) => /^modelguard_(process|nodejs)_/.test(name);

describe("README metric tables", () => {
  it("name only metrics that ModelGuard exposes, and every one it exposes", async () => {
    const documented = documentedNames(readFileSync(README, "utf8"));
    assert.ok(documented.length > 10, `found only ${documented.length} documented metrics; did the tables change shape?`);
    const emitted = [...(await filterMetricNames()), ...(await operatorMetricNames())];
    const families = [...new Set(emitted.map((n) => family(n, emitted)))];
    const invented = documented.filter((d) => !families.some((f) => matches(d, f)));
    assert.deepEqual(invented, [], "documented in README.md but not exposed");
    const undocumented = families.filter((f) => !isRuntimeMetric(f) && !documented.some((d) => matches(d, f)));
    assert.deepEqual(undocumented, [], "exposed but missing from README.md's tables");
  });
});
