// Every metric name the chart's PrometheusRule and Grafana dashboard use is one ModelGuard really
// emits: the alerts and panels are rendered by helm (templated thresholds resolved), parsed by
// Prometheus's own PromQL parser, and each selector's __name__ matcher is tried against the
// operator's registry and the filter module's stats. A regex must match an emitted name, a literal
// must be emitted; Prometheus's own `up` is the only name allowed besides.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { filterMetricNames, operatorMetricNames, PROMETHEUS_BUILTIN_SERIES } from "./emitted-metrics.js";
import { dashboardQueries, interpolateGrafana, metricReferenceProblems, ruleQueries } from "./metric-references.js";
import type { Query } from "./metric-references.js";
import { promql } from "./promql.js";
import { get, NAMESPACE, render, type Rendered } from "./render.js";
import { ALL_FEATURES_VALUES } from "./tools.js";

let operatorNames: string[] = [];
let filterNames: string[] = [];
let emitted: string[] = [];
let objs: Rendered[] = [];

before(async () => {
  operatorNames = await operatorMetricNames();
  filterNames = await filterMetricNames();
  emitted = [...operatorNames, ...filterNames, ...PROMETHEUS_BUILTIN_SERIES];
  objs = render(["-f", ALL_FEATURES_VALUES]);
});

const dashboard = () => JSON.parse((get(objs, "ConfigMap", "modelguard-dashboard").data as Record<string, string>)["modelguard.json"] ?? "") as Parameters<typeof dashboardQueries>[0];
const rule = () => get(objs, "PrometheusRule", "modelguard");

/** The names a set of queries selects, by the parser's own matching. */
function selectedNames(queries: readonly Query[]): Set<string> {
  const res = promql({ exprs: queries.map((q) => q.expr), names: emitted });
  return new Set(res.inspections.flatMap((i) => i.selectors.flatMap((s) => s.nameMatchers.flatMap((m) => m.matches))));
}

describe("the names the cross-check compares against", () => {
  it("come from the real operator registry and the real filter module", () => {
    for (const n of ["modelguard_reconcile_total", "modelguard_reconcile_errors_total", "modelguard_reconcile_duration_seconds_bucket", "modelguard_workqueue_depth", "modelguard_leader", "modelguard_process_resident_memory_bytes"]) {
      assert.ok(operatorNames.includes(n), `operator exposes ${n}: ${operatorNames.join(" ")}`);
    }
    assert.ok(!operatorNames.includes("modelguard_reconcile_duration_seconds"), "a histogram is exposed as _bucket/_sum/_count only");
    for (const n of ["modelguard_requests_allowed", "modelguard_requests_denied_quota_exceeded", "modelguard_extraction_flagged", "modelguard_config_rejected"]) {
      assert.ok(filterNames.includes(n), `filter defines ${n}: ${filterNames.join(" ")}`);
    }
    assert.ok(filterNames.filter((n) => n.startsWith("modelguard_requests_denied_")).length >= 30, "one counter per deny reason");
  });
});

describe("the chart's alerts and dashboard use only emitted metric names", () => {
  it("every PrometheusRule expression (all alerts on, thresholds templated)", () => {
    const queries = ruleQueries(rule());
    assert.deepEqual(queries.map((q) => q.source.split(" ")[1]).sort(), [
      "ModelGuardClientRestricted", "ModelGuardClientTableFull", "ModelGuardDenialSpike", "ModelGuardExtractionSuspected", "ModelGuardFilterConfigRejected", "ModelGuardNoLeader", "ModelGuardOperatorDown", "ModelGuardReconcileErrors",
    ]);
    assert.deepEqual(metricReferenceProblems(queries, emitted), []);
  });

  it("every dashboard panel query and variable query", () => {
    const queries = dashboardQueries(dashboard());
    assert.ok(queries.length >= 15, `${String(queries.length)} queries`);
    assert.deepEqual(metricReferenceProblems(queries, emitted), []);
  });

  it("the dashboard shows every filter outcome and the operator's loop", () => {
    const shown = selectedNames(dashboardQueries(dashboard()));
    const wanted = [
      "modelguard_requests_allowed", "modelguard_extraction_flagged", "modelguard_responses_hardened", "modelguard_requests_failed_open", "modelguard_config_rejected",
      ...filterNames.filter((n) => n.startsWith("modelguard_requests_denied_")),
      "modelguard_reconcile_total", "modelguard_reconcile_errors_total", "modelguard_reconcile_duration_seconds_bucket", "modelguard_workqueue_depth", "modelguard_managed_objects", "modelguard_leader",
    ];
    assert.deepEqual(wanted.filter((n) => !shown.has(n)), []);
  });

  it("alerts use `up` only as Prometheus's own series, for the operator's job in the release namespace", () => {
    const exprs = ruleQueries(rule()).map((q) => q.expr).filter((e) => /\bup\{/.test(e));
    assert.deepEqual(exprs, [`absent(up{job="modelguard", namespace="${NAMESPACE}"} == 1)`]);
  });
});

describe("metricReferenceProblems refuses what does not exist", () => {
  const known = ["modelguard_requests_allowed", "modelguard_requests_denied_quota_exceeded", "modelguard_reconcile_total"];

  it("accepts literals and regexes that name emitted series", () => {
    assert.deepEqual(metricReferenceProblems([
      { source: "a", expr: "sum(rate(modelguard_requests_allowed[5m]))" },
      { source: "b", expr: 'sum(rate(label_replace({__name__=~"modelguard_requests_denied_.+"}, "r", "$1", "__name__", "(.*)")[5m:]))' },
      { source: "c", expr: 'modelguard_reconcile_total{result="error"}' },
      { source: "d", expr: '{__name__=~"modelguard_reconcile_.+", __name__!="modelguard_reconcile_errors_total"}' },
    ], known), []);
  });

  it("a misspelled name in an alert fails, naming the alert and the name", () => {
    const [bad] = ruleQueries(rule()).filter((q) => q.source.includes("ModelGuardExtractionSuspected"));
    assert.ok(bad);
    const typo = { ...bad, expr: bad.expr.replace("modelguard_extraction_flagged", "modelguard_extraction_flaged") };
    assert.notEqual(typo.expr, bad.expr);
    assert.deepEqual(metricReferenceProblems([typo], emitted), [`${bad.source}: modelguard_extraction_flaged is not a metric ModelGuard emits`]);
  });

  it("a regex that matches nothing fails; the regex is anchored, as in Prometheus", () => {
    assert.deepEqual(metricReferenceProblems([{ source: "q", expr: 'sum({__name__=~"modelguard_requests_refused_.+"})' }], known), [
      'q: __name__=~"modelguard_requests_refused_.+" matches no metric ModelGuard emits',
    ]);
    assert.deepEqual(metricReferenceProblems([{ source: "q", expr: '{__name__=~"requests_allowed"}' }], known), [
      'q: __name__=~"requests_allowed" matches no metric ModelGuard emits',
    ]);
  });

  it("Prometheus's `up` passes only through the allowlist", () => {
    const q = [{ source: "q", expr: 'absent(up{job="modelguard"} == 1)' }];
    assert.deepEqual(metricReferenceProblems(q, known), ["q: up is not a metric ModelGuard emits"]);
    assert.deepEqual(metricReferenceProblems(q, [...known, ...PROMETHEUS_BUILTIN_SERIES]), []);
  });

  it("a selector without a metric name, a query without a selector and invalid PromQL fail", () => {
    const problems = metricReferenceProblems([
      { source: "nameless", expr: 'sum(rate({job="modelguard"}[5m]))' },
      { source: "constant", expr: "vector(1)" },
      { source: "broken", expr: "sum(rate(modelguard_requests_allowed[5m])" },
    ], known);
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.match(problems[0] ?? "", /^nameless: \{job="modelguard"\} does not name a metric$/);
    assert.equal(problems[1], "constant: selects no series");
    assert.match(problems[2] ?? "", /^broken: not valid PromQL: .*unclosed left parenthesis/);
  });

  it("Grafana variables: intervals become durations, dashboard variables match anything, $1 stays", () => {
    assert.equal(
      interpolateGrafana('sum(rate(label_replace(x{namespace=~"$namespace", pod=~"${pod:regex}"}, "r", "$1", "n", "(.*)")[$__rate_interval:])) / $__range_s', ["namespace", "pod"]),
      'sum(rate(label_replace(x{namespace=~".*", pod=~".*"}, "r", "$1", "n", "(.*)")[5m:])) / 3600',
    );
  });
});
