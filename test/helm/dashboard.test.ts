// The Grafana dashboard ConfigMap: the sidecar's label and folder annotation from the values, the
// JSON from dashboards/modelguard.json unchanged, a well-formed layout with the datasource as a
// variable, and every panel query answered by Prometheus's own engine (no PromQL error, at least
// one series) over synthetic series of the metrics ModelGuard emits.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dashboardQueries } from "./metric-references.js";
import { promql } from "./promql.js";
import { find, get, NAMESPACE, render } from "./render.js";
import { ALL_FEATURES_VALUES, CHART_DIR } from "./tools.js";

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; datasource?: { uid: string } }[] };
}

const FILE = join(CHART_DIR, "dashboards/modelguard.json");

describe("Grafana dashboard ConfigMap", () => {
  it("is off by default", () => {
    assert.equal(find(render(), "ConfigMap").length, 0);
  });

  it("carries the sidecar's label, the folder annotation and the JSON file unchanged", () => {
    const cm = get(render(["-f", ALL_FEATURES_VALUES]), "ConfigMap", "modelguard-dashboard");
    assert.equal(cm.metadata.namespace, "monitoring");
    assert.equal(cm.metadata.labels?.grafana_dashboard, "1");
    assert.equal(cm.metadata.labels?.release, "kube-prometheus-stack");
    assert.equal(cm.metadata.annotations?.grafana_folder, "ModelGuard");
    assert.deepEqual(Object.keys(cm.data as object), ["modelguard.json"]);
    assert.equal((cm.data as Record<string, string>)["modelguard.json"], readFileSync(FILE, "utf8").trimEnd());
  });

  it("label, value and namespace follow the values; no folder means no annotation", () => {
    const cm = get(render(["--set", "grafanaDashboard.enabled=true", "--set", "grafanaDashboard.label=example.com/dashboard", "--set-string", "grafanaDashboard.labelValue=yes"]), "ConfigMap", "modelguard-dashboard");
    assert.equal(cm.metadata.namespace, NAMESPACE);
    assert.equal(cm.metadata.labels?.["example.com/dashboard"], "yes");
    assert.equal(cm.metadata.annotations, undefined);
  });
});

describe("dashboards/modelguard.json", () => {
  const dash = JSON.parse(readFileSync(FILE, "utf8")) as Dashboard;
  const panels = dash.panels.filter((p) => p.type !== "row");

  it("has a stable uid, a datasource variable and uses it everywhere", () => {
    assert.equal(dash.uid, "modelguard");
    const ds = dash.templating.list.find((v) => v.type === "datasource");
    assert.deepEqual({ name: ds?.name, query: ds?.query }, { name: "datasource", query: "prometheus" });
    for (const p of panels) {
      assert.deepEqual(p.datasource, { type: "prometheus", uid: "${datasource}" }, p.title);
      for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, "${datasource}", `${p.title} ${t.refId}`);
    }
    for (const v of dash.templating.list.filter((x) => x.type === "query")) assert.equal(v.datasource?.uid, "${datasource}", v.name);
  });

  it("has unique panel ids and a layout inside 24 columns without overlaps", () => {
    const ids = dash.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, "unique ids");
    const cells = new Set<string>();
    for (const p of dash.panels) {
      const { x, y, w, h } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0, `${p.title} fits: ${JSON.stringify(p.gridPos)}`);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const cell = `${String(i)},${String(j)}`;
          assert.ok(!cells.has(cell), `${p.title} overlaps another panel at ${cell}`);
          cells.add(cell);
        }
      }
    }
  });

  it("every query returns series from Prometheus's engine over emitted metrics", () => {
    const series = [
      `modelguard_requests_allowed{namespace="team-a", pod="a1"} 0+300x30`,
      `modelguard_requests_denied_quota_exceeded{namespace="team-a", pod="a1"} 0+60x30`,
      `modelguard_requests_denied_unauthenticated{namespace="team-a", pod="a1"} 0+30x30`,
      `modelguard_requests_failed_open{namespace="team-a", pod="a1"} 0+1x30`,
      `modelguard_extraction_flagged{namespace="team-a", pod="a1"} 0+2x30`,
      `modelguard_responses_hardened{namespace="team-a", pod="a1"} 0+100x30`,
      `modelguard_config_rejected{namespace="team-a", pod="a1"} 0x20 1x10`,
      `modelguard_clients_evicted{namespace="team-a", pod="a1"} 0+3x30`,
      `modelguard_reconcile_total{result="success", pod="op-1"} 0+10x30`,
      `modelguard_reconcile_total{result="error", pod="op-1"} 0+1x30`,
      `modelguard_reconcile_errors_total{pod="op-1"} 0+1x30`,
      `modelguard_reconcile_duration_seconds_bucket{le="0.1", pod="op-1"} 0+9x30`,
      `modelguard_reconcile_duration_seconds_bucket{le="+Inf", pod="op-1"} 0+10x30`,
      `modelguard_workqueue_depth{pod="op-1"} 3x30`,
      `modelguard_managed_objects{kind="WasmPlugin", pod="op-1"} 4x30`,
      `modelguard_leader{pod="op-1"} 1x30`,
      `modelguard_api_requests_total{verb="patch", pod="op-1"} 0+5x30`,
      `modelguard_object_writes_total{operation="apply", pod="op-1"} 0+2x30`,
      `modelguard_process_resident_memory_bytes{pod="op-1"} 100000000x30`,
      `modelguard_nodejs_eventloop_lag_p99_seconds{pod="op-1"} 0.01x30`,
    ].map((l) => `  ${l}`).join("\n");
    // The dashboard's time range for $__range is an hour; evaluate near the end of the data.
    const queries = dashboardQueries(dash as unknown as Parameters<typeof dashboardQueries>[0]);
    const res = promql({ series: `load 1m\n${series}`, evals: queries.map((q) => ({ expr: q.expr, at: "25m" })) });
    const empty = res.evals.flatMap((e, i) => (e.error !== undefined || e.samples.length === 0 ? [`${queries[i]?.source ?? "?"}: ${e.error ?? "no series"}\n  ${e.expr}`] : []));
    assert.deepEqual(empty, []);
    const byReason = res.evals.find((_, i) => queries[i]?.source.startsWith('panel "Denials by reason"'));
    assert.deepEqual(byReason?.samples.map((s) => s.labels.reason).sort(), ["quota_exceeded", "unauthenticated"]);
  });
});
