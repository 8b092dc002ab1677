// `helm template` of the chart as parsed objects, shared by the chart tests.
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { CHART_DIR, helmTools, run } from "./tools.js";
import type { RunResult } from "./tools.js";

export const RELEASE = "modelguard";
export const NAMESPACE = "modelguard-system";

export interface Rendered {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext: Record<string, unknown>;
  resources: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
}

export interface PodSpec {
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: Record<string, unknown> }[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
}

export const show = (r: RunResult) => `exit ${String(r.status)}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

export function helm(args: readonly string[]): RunResult {
  return run(helmTools().helm, args);
}

/** `helm template` of release modelguard in modelguard-system, CRDs included; fails the test on error. */
export function template(extra: readonly string[] = []): string {
  const r = helm(["template", RELEASE, CHART_DIR, "--namespace", NAMESPACE, "--include-crds", ...extra]);
  assert.equal(r.status, 0, show(r));
  return r.stdout;
}

export function parse(text: string): Rendered[] {
  return parseAllDocuments(text)
    .map((d) => {
      assert.deepEqual(d.errors, [], "helm output is valid YAML");
      return d.toJS() as Rendered | null;
    })
    .filter((o): o is Rendered => o !== null);
}

export const render = (extra: readonly string[] = []): Rendered[] => parse(template(extra));

export const find = (objs: readonly Rendered[], kind: string): Rendered[] => objs.filter((o) => o.kind === kind);

/** The one object of `kind` named `name`; fails the test when it is missing. */
export function get(objs: readonly Rendered[], kind: string, name: string): Rendered {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `rendered ${kind} ${name} (have: ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")})`);
  return o;
}

/** The pod spec of a rendered Deployment. */
export function podSpec(deploy: Rendered): PodSpec {
  return (deploy.spec as { template: { spec: PodSpec } }).template.spec;
}

/** A container's environment as a map (plain values only). */
export function envOf(c: Container): Map<string, string> {
  return new Map((c.env ?? []).map((e) => [e.name, e.value ?? ""]));
}
