// The PrometheusRule's alerts, rendered by helm, evaluated by Prometheus's own PromQL engine over
// synthetic series (promqltest's `load` syntax, as `promtool test rules` uses): each fires for the
// situation it describes, stays quiet otherwise, and uses the thresholds the values set. `for`
// durations are Prometheus's rule manager's job, so they are only checked as rendered.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { promql, type EvalResult } from "./promql.js";
import { get, NAMESPACE, render } from "./render.js";
import { ALL_FEATURES_VALUES } from "./tools.js";

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function rules(extra: readonly string[]): Map<string, Rule> {
  const rule = get(render(extra), "PrometheusRule", "modelguard");
  const groups = (rule.spec as { groups: { rules: Rule[] }[] }).groups;
  return new Map(groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
}

const defaults = rules(["--set", "prometheusRule.enabled=true"]);
const allFeatures = rules(["-f", ALL_FEATURES_VALUES]);

function expr(set: Map<string, Rule>, alert: string): string {
  const r = set.get(alert);
  assert.ok(r, `alert ${alert} rendered`);
  return r.expr;
}

/** Evaluates `query` at `at` over `series` (one `load 1m` block) and returns the result. */
function evalAt(query: string, series: string, at = "20m"): EvalResult {
  const [res] = promql({ series: `load 1m\n${series}`, evals: [{ expr: query, at }] }).evals;
  assert.ok(res);
  return res;
}

/** The alert's firing series at `at`, as "label=value,..." → value. */
function firing(query: string, series: string, at = "20m"): Map<string, number> {
  const res = evalAt(query, series, at);
  assert.equal(res.error, undefined, `${query}\n${res.error ?? ""}`);
  return new Map(res.samples.map((s) => [Object.entries(s.labels).sort().map(([k, v]) => `${k}=${v}`).join(","), s.value]));
}

// Counter increments per minute: 60/min is 1 request per second.
const perSecond = (rps: number) => `0+${String(rps * 60)}x30`;

describe("ModelGuardDenialSpike", () => {
  // team-a: 5 rps allowed, 3 + 2 rps denied (two reasons, two pods) → half denied.
  // team-b: 9 rps allowed, 1 rps denied → 10 %. team-c: 0.1 rps, all denied → below the traffic floor.
  const series = [
    `  modelguard_requests_allowed{namespace="team-a", pod="a1"} ${perSecond(3)}`,
    `  modelguard_requests_allowed{namespace="team-a", pod="a2"} ${perSecond(2)}`,
    `  modelguard_requests_denied_quota_exceeded{namespace="team-a", pod="a1"} ${perSecond(3)}`,
    `  modelguard_requests_denied_unauthenticated{namespace="team-a", pod="a2"} ${perSecond(2)}`,
    `  modelguard_requests_allowed{namespace="team-b", pod="b1"} ${perSecond(9)}`,
    `  modelguard_requests_denied_quota_exceeded{namespace="team-b", pod="b1"} ${perSecond(1)}`,
    `  modelguard_requests_allowed{namespace="team-c", pod="c1"} 0x30`,
    `  modelguard_requests_denied_tier_unknown{namespace="team-c", pod="c1"} 0+6x30`,
  ].join("\n");

  it("fires per namespace with the denied share as its value, not for low ratios or trickles of traffic", () => {
    const f = firing(expr(defaults, "ModelGuardDenialSpike"), series);
    assert.deepEqual([...f.keys()], ["namespace=team-a"]);
    assert.ok(Math.abs((f.get("namespace=team-a") ?? 0) - 0.5) < 1e-9, String(f.get("namespace=team-a")));
  });

  it("uses the values' ratio, traffic floor and grouping (all-features: 0.4, 2 rps, by namespace and pod)", () => {
    const f = firing(expr(allFeatures, "ModelGuardDenialSpike"), series);
    // a1: 3 of 6 denied (fires); a2: 2 of 4 denied (fires); b1: 10 %; c1: 0.1 rps.
    assert.deepEqual([...f.keys()].sort(), ["namespace=team-a,pod=a1", "namespace=team-a,pod=a2"]);
    const below = firing(expr(allFeatures, "ModelGuardDenialSpike"), [
      `  modelguard_requests_allowed{namespace="team-a", pod="a1"} ${perSecond(3.5)}`,
      `  modelguard_requests_denied_quota_exceeded{namespace="team-a", pod="a1"} ${perSecond(2)}`,
      `  modelguard_requests_allowed{namespace="team-d", pod="d1"} ${perSecond(0.5)}`,
      `  modelguard_requests_denied_quota_exceeded{namespace="team-d", pod="d1"} ${perSecond(1)}`,
    ].join("\n"));
    assert.deepEqual([...below.keys()], [], "2 of 5.5 rps is under 0.4; 1.5 rps is under the 2 rps floor");
  });

  it("needs the per-reason label: rate() over several denial counters of one pod would be a PromQL error", () => {
    const naive = 'sum by (namespace) (rate({__name__=~"modelguard_requests_denied_.+"}[5m]))';
    const twoReasonsOnePod = [
      `  modelguard_requests_denied_quota_exceeded{namespace="team-a", pod="a1"} ${perSecond(1)}`,
      `  modelguard_requests_denied_unauthenticated{namespace="team-a", pod="a1"} ${perSecond(1)}`,
      `  modelguard_requests_allowed{namespace="team-a", pod="a1"} ${perSecond(1)}`,
    ].join("\n");
    assert.match(evalAt(naive, twoReasonsOnePod).error ?? "", /same labelset/);
    const f = firing(expr(defaults, "ModelGuardDenialSpike"), twoReasonsOnePod);
    assert.ok(Math.abs((f.get("namespace=team-a") ?? 0) - 2 / 3) < 1e-9, JSON.stringify([...f]));
  });
});

describe("ModelGuardExtractionSuspected", () => {
  const series = [
    `  modelguard_extraction_flagged{namespace="team-a", pod="a1"} 0x10 1+1x19`,
    `  modelguard_extraction_flagged{namespace="team-b", pod="b1"} 0x30`,
  ].join("\n");

  it("fires where requests were flagged in the window", () => {
    assert.deepEqual([...firing(expr(defaults, "ModelGuardExtractionSuspected"), series).keys()], ["namespace=team-a"]);
  });

  it("all-features: more than 2 flags in 15m, by namespace and pod", () => {
    assert.deepEqual([...firing(expr(allFeatures, "ModelGuardExtractionSuspected"), series).keys()], ["namespace=team-a,pod=a1"]);
    const two = `  modelguard_extraction_flagged{namespace="team-a", pod="a1"} 0x15 1 2x14`;
    assert.deepEqual([...firing(expr(allFeatures, "ModelGuardExtractionSuspected"), two).keys()], [], "2 flags is not more than 2");
  });
});

describe("ModelGuardFilterConfigRejected", () => {
  const series = `  modelguard_config_rejected{namespace="team-a", pod="a1"} 0x15 1x15`;

  it("fires while a rejection is inside the window, and clears after", () => {
    assert.deepEqual([...firing(expr(defaults, "ModelGuardFilterConfigRejected"), series, "20m").keys()], ["namespace=team-a"]);
    assert.deepEqual([...firing(expr(defaults, "ModelGuardFilterConfigRejected"), series, "30m").keys()], []);
  });
});

describe("ModelGuardClientTableFull", () => {
  const series = [
    `  modelguard_clients_evicted{namespace="team-a", pod="a1"} 0+1x30`,
    `  modelguard_clients_evicted{namespace="team-b", pod="b1"} 0x30`,
  ].join("\n");

  it("fires where sidecars evict records still in use, and stays quiet where they do not", () => {
    assert.deepEqual([...firing(expr(defaults, "ModelGuardClientTableFull"), series).keys()], ["namespace=team-a"]);
    assert.equal(defaults.get("ModelGuardClientTableFull")?.for, "15m");
  });

  it("all-features: more than 10 evictions in 30m, by namespace and pod", () => {
    const few = `  modelguard_clients_evicted{namespace="team-a", pod="a1"} 0x20 1 2 3x8`;
    assert.deepEqual([...firing(expr(allFeatures, "ModelGuardClientTableFull"), few, "30m").keys()], [], "3 evictions is not more than 10");
    assert.deepEqual([...firing(expr(allFeatures, "ModelGuardClientTableFull"), series, "30m").keys()], ["namespace=team-a,pod=a1"]);
  });
});

describe("operator alerts", () => {
  const job = `job="modelguard", namespace="${NAMESPACE}"`;

  it("ModelGuardReconcileErrors: errors increasing on the operator's job, per pod", () => {
    const series = [
      `  modelguard_reconcile_errors_total{${job}, pod="op-1"} 0+1x30`,
      `  modelguard_reconcile_errors_total{${job}, pod="op-2"} 5x30`,
      `  modelguard_reconcile_errors_total{job="someone-else", namespace="x", pod="z"} 0+1x30`,
    ].join("\n");
    assert.deepEqual([...firing(expr(defaults, "ModelGuardReconcileErrors"), series).keys()], [`namespace=${NAMESPACE},pod=op-1`]);
    // all-features: more than 3 in 30m; 0+1x30 has 20 by minute 20.
    const slow = `  modelguard_reconcile_errors_total{${job}, pod="op-1"} 0x25 1 2 3x4`;
    assert.deepEqual([...firing(expr(allFeatures, "ModelGuardReconcileErrors"), slow, "30m").keys()], []);
  });

  it("ModelGuardClientRestricted: the detector throttled or blocked clients; alert-only findings do not fire it", () => {
    const series = [
      `  modelguard_detector_findings_total{${job}, pod="op-1", severity="block", action="block"} 0x10 1x20`,
      `  modelguard_detector_findings_total{${job}, pod="op-1", severity="alert", action="alert"} 0+1x30`,
      `  modelguard_detector_findings_total{${job}, pod="op-1", severity="block", action="throttle"} 0x30`,
    ].join("\n");
    assert.deepEqual([...firing(expr(defaults, "ModelGuardClientRestricted"), series).keys()], ["action=block"]);
    const alertsOnly = `  modelguard_detector_findings_total{${job}, pod="op-1", severity="alert", action="alert"} 0+1x30`;
    assert.deepEqual([...firing(expr(defaults, "ModelGuardClientRestricted"), alertsOnly).keys()], []);
  });

  it("ModelGuardOperatorDown: no target of the job up, or no target at all", () => {
    const q = expr(defaults, "ModelGuardOperatorDown");
    assert.equal(firing(q, `  up{${job}, pod="op-1"} 1x30\n  up{${job}, pod="op-2"} 0x30`).size, 0, "one replica up is enough");
    assert.equal(firing(q, `  up{${job}, pod="op-1"} 0x30`).size, 1);
    assert.equal(firing(q, `  up{job="other", namespace="${NAMESPACE}"} 1x30`).size, 1, "another job's target does not count");
  });

  it("ModelGuardNoLeader: operators report, none leads", () => {
    const q = expr(defaults, "ModelGuardNoLeader");
    assert.equal(firing(q, `  modelguard_leader{${job}, pod="op-1"} 0x30\n  modelguard_leader{${job}, pod="op-2"} 0x30`).size, 1);
    assert.equal(firing(q, `  modelguard_leader{${job}, pod="op-1"} 1x30\n  modelguard_leader{${job}, pod="op-2"} 0x30`).size, 0);
  });
});

describe("rendering", () => {
  it("every alert has a severity, a summary and a description; all-features adds labels and runbooks", () => {
    assert.equal(defaults.size, 8);
    for (const [name, r] of defaults) {
      assert.match(r.labels.severity ?? "", /^(warning|critical)$/, name);
      assert.ok(r.annotations.summary && r.annotations.description, name);
      assert.equal(r.annotations.runbook_url, undefined, `${name}: no runbook base URL by default`);
    }
    for (const [name, r] of allFeatures) {
      assert.equal(r.labels.team, "ml-platform", name);
      assert.equal(r.annotations.runbook_url, `https://runbooks.example.com/modelguard#${name.toLowerCase()}`);
    }
    assert.equal(allFeatures.get("ModelGuardDenialSpike")?.for, "5m");
    assert.equal(allFeatures.get("ModelGuardDenialSpike")?.labels.severity, "critical");
    assert.match(allFeatures.get("ModelGuardDenialSpike")?.annotations.description ?? "", /namespace=\{\{ \$labels\.namespace \}\}, pod=\{\{ \$labels\.pod \}\}/);
  });

  it("a disabled alert is not rendered", () => {
    const some = rules(["--set", "prometheusRule.enabled=true", "--set", "prometheusRule.alerts.noLeader.enabled=false", "--set", "prometheusRule.alerts.denialSpike.enabled=false"]);
    assert.deepEqual([...some.keys()].sort(), ["ModelGuardClientRestricted", "ModelGuardClientTableFull", "ModelGuardExtractionSuspected", "ModelGuardFilterConfigRejected", "ModelGuardOperatorDown", "ModelGuardReconcileErrors"]);
  });
});
