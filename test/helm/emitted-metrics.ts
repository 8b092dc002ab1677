// The metric names ModelGuard really exposes, as Prometheus sees them: the operator's from its own
// prom-client registry, the filter's from running the compiled module in the Node proxy-wasm host.
import { readFileSync } from "node:fs";
import { OperatorMetrics } from "../../operator/src/controller/metrics.js";
import { ProxyWasmHost } from "../../wasm-filter/host/host.js";
import { MetricType } from "../../wasm-filter/host/index.js";
import { baseSpec, ensureModule, filterConfigFor } from "../../wasm-filter/test/filter/harness.js";

/** Series a Prometheus server makes itself; the only names rules may use without ModelGuard
 *  emitting them. `up` is 1 per target whose last scrape succeeded (ModelGuardOperatorDown). */
export const PROMETHEUS_BUILTIN_SERIES: readonly string[] = ["up"];

/** Exposed sample names of one metric family in the text format: a histogram is its _bucket,
 *  _sum and _count series, a summary its quantiles plus _sum and _count. */
function exposedNames(name: string, type: string): string[] {
  if (type === "histogram") return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === "summary") return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/** Every series name the operator's /metrics can expose (process metrics included, as in production).
 *  Read from the `# TYPE` lines of the registry's own exposition, so a labelled family with no
 *  sample yet still counts. */
export async function operatorMetricNames(): Promise<string[]> {
  const text = await new OperatorMetrics({ processMetrics: true }).registry.metrics();
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    for (const n of exposedNames(m[1] ?? "", m[2] ?? "")) names.add(n);
  }
  return [...names].sort();
}

/** Every stat the compiled filter defines once configured, under the name Envoy's
 *  /stats/prometheus gives it. Envoy strips a wasm plugin's `wasmcustom.` stat prefix and adds
 *  neither `envoy_` nor `_total` (test/envoy/filter-in-envoy.test.ts checks that on a real Envoy:
 *  `modelguard_requests_allowed`); a histogram becomes _bucket, _sum and _count. */
export async function filterMetricNames(): Promise<string[]> {
  const host = new ProxyWasmHost(new WebAssembly.Module(readFileSync(await ensureModule())));
  host.createConfiguredVm(JSON.stringify(filterConfigFor(baseSpec())), { vmId: "modelguard" });
  const names = host.metrics.all().flatMap((m) => exposedNames(m.name, m.type === MetricType.Histogram ? "histogram" : "counter"));
  return [...new Set(names)].sort();
}
