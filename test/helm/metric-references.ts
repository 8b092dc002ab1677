// Which metric names the chart's alerts and dashboard refer to, and whether each exists: every
// expression goes through Prometheus's own PromQL parser (promql.ts), and every __name__ matcher of
// every selector (a plain `metric` is `__name__="metric"`) is tried against the names ModelGuard
// emits. Pure apart from running the parser.
import { promql } from "./promql.js";

export interface Query {
  /** Where the expression comes from, for messages (e.g. "alert ModelGuardDenialSpike"). */
  source: string;
  expr: string;
}

/** Grafana's built-in interval variables, replaced by a duration so the query parses as PromQL. */
const GRAFANA_INTERVALS = new Set(["__rate_interval", "__interval", "__range", "__range_s"]);

/** A Grafana query as Prometheus would receive it: interval variables become `5m`, the dashboard's
 *  own variables (used inside label matchers) become `.*`. Anything else, e.g. `$1` of
 *  label_replace, is left alone, as Grafana leaves unknown variables. */
export function interpolateGrafana(expr: string, variables: readonly string[]): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? "";
    if (GRAFANA_INTERVALS.has(name)) return name === "__range_s" ? "3600" : "5m";
    return variables.includes(name) ? ".*" : whole;
  });
}

/** Problems with the metric names the queries use; empty when every selector names at least one
 *  emitted series: a literal name must be emitted, a regex must match an emitted name, and a
 *  selector with no positive __name__ matcher (e.g. `{job="x"}`) is refused outright. */
export function metricReferenceProblems(queries: readonly Query[], emitted: readonly string[]): string[] {
  const res = promql({ exprs: queries.map((q) => q.expr), names: [...emitted] });
  const problems: string[] = [];
  res.inspections.forEach((ins, i) => {
    const source = queries[i]?.source ?? `query ${String(i)}`;
    if (ins.error !== undefined) {
      problems.push(`${source}: not valid PromQL: ${ins.error}`);
      return;
    }
    if (ins.selectors.length === 0) problems.push(`${source}: selects no series`);
    for (const sel of ins.selectors) {
      const positive = sel.nameMatchers.filter((m) => m.type === "=" || m.type === "=~");
      if (positive.length === 0) problems.push(`${source}: ${sel.text} does not name a metric`);
      for (const m of positive) {
        if (m.matches.length > 0) continue;
        problems.push(m.type === "=" ? `${source}: ${m.value} is not a metric ModelGuard emits` : `${source}: __name__=~"${m.value}" matches no metric ModelGuard emits`);
      }
    }
  });
  return problems;
}

/** The PromQL of a rendered PrometheusRule: one query per alert or recording rule. */
export function ruleQueries(rule: { kind: string; spec?: unknown }): Query[] {
  const groups = (rule.spec as { groups?: { name: string; rules?: { alert?: string; record?: string; expr: string }[] }[] } | undefined)?.groups ?? [];
  return groups.flatMap((g) => (g.rules ?? []).map((r) => ({ source: `alert ${r.alert ?? r.record ?? "?"} (group ${g.name})`, expr: r.expr })));
}

interface GrafanaPanel {
  title?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: GrafanaPanel[];
}

interface GrafanaVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
}

interface GrafanaDashboard {
  panels?: GrafanaPanel[];
  templating?: { list?: GrafanaVariable[] };
}

/** The PromQL of a Grafana dashboard: every panel target (rows' nested panels included) and the
 *  series selector inside each `label_values(<selector>, <label>)` variable query, interpolated. */
export function dashboardQueries(dashboard: GrafanaDashboard): Query[] {
  const variables = (dashboard.templating?.list ?? []).map((v) => v.name);
  const queries: Query[] = [];
  const walk = (panels: readonly GrafanaPanel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        if (t.expr !== undefined) queries.push({ source: `panel "${p.title ?? "?"}" target ${t.refId ?? "?"}`, expr: interpolateGrafana(t.expr, variables) });
      }
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels ?? []);
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const q = typeof v.query === "string" ? v.query : (v.query?.query ?? "");
    const m = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/.exec(q);
    if (!m?.[1]) throw new Error(`variable ${v.name}: only label_values(<selector>, <label>) queries are supported here, got ${JSON.stringify(q)}`);
    queries.push({ source: `variable ${v.name}`, expr: interpolateGrafana(m[1], variables) });
  }
  return queries;
}
