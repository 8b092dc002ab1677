// What the model's sidecar must show on /stats/prometheus after the allowed caller's checks
// (mesh-checks.ts): the filter's counters, one per decision those checks provoked.
import assert from "node:assert/strict";

/** Counters the caller checks move, with the least each must read. */
export const EXPECTED_FILTER_COUNTERS: Readonly<Record<string, number>> = {
  modelguard_requests_allowed: 1,
  modelguard_requests_denied_model_not_allowed: 1,
  modelguard_requests_denied_tier_not_allowed: 2,
  modelguard_requests_denied_quota_exceeded: 1,
  modelguard_requests_denied_body_too_large: 1,
  modelguard_requests_denied_json_malformed: 1,
  modelguard_requests_denied_url_private_address: 1,
  modelguard_requests_denied_image_malformed: 1,
  modelguard_responses_hardened: 1,
};

/** Sums every series of each metric in a Prometheus text exposition (labels ignored). */
export function prometheusTotals(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    const value = Number(m[2]);
    if (Number.isFinite(value)) totals.set(m[1], (totals.get(m[1]) ?? 0) + value);
  }
  return totals;
}

export function assertFilterMetrics(text: string): Map<string, number> {
  const totals = prometheusTotals(text);
  const filterSeries = [...totals.keys()].filter((n) => n.startsWith("modelguard_"));
  assert.ok(filterSeries.length > 0, "no modelguard_* series: the sidecar does not export the filter's stats (proxyStatsMatcher)");
  for (const [name, least] of Object.entries(EXPECTED_FILTER_COUNTERS)) {
    const value = totals.get(name) ?? 0;
    assert.ok(value >= least, `${name} is ${value}, expected at least ${least}; modelguard series: ${filterSeries.map((n) => `${n}=${totals.get(n)}`).join(" ")}`);
  }
  return totals;
}
