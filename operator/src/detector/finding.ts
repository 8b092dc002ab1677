/** What the detector reports about a client, and the one-line reason an operator reads. */
import type { Severity } from "./evidence.js";
import { FEATURE_SPECS, type FeatureSpec } from "./features.js";

export interface Finding {
  /** `<namespace>/<name>` of the ModelEndpointPolicy. */
  policy: string;
  model: string;
  client: string;
  severity: Severity;
  /** Combined standardized score of the client's current window. */
  score: number;
  /** Queries seen from this client for this model when flagged. */
  queries: number;
  /** Features and their standardized scores, for the audit record. */
  signals: Record<string, number>;
  /** Which signals were abnormal, in one line. */
  reason: string;
}

/** z at or above which a feature is named in the reason. */
const NAMED_Z = 2;

export function findingReason(severity: Severity, queries: number, raw: Float64Array, z: Float64Array, evidence: number): string {
  const abnormal = FEATURE_SPECS.map((spec, f) => ({ spec, raw: raw[f] as number, z: z[f] as number }))
    .filter((s) => s.spec.weight > 0 && s.z >= NAMED_Z)
    .sort((a, b) => b.z - a.z)
    .map((s) => `${s.spec.label} ${formatRaw(s.spec.unit, s.raw)} (z ${s.z.toFixed(1)})`);
  const what = abnormal.length > 0 ? abnormal.join(", ") : "several signals slightly above normal";
  return `${severity}: ${what}; evidence ${evidence.toFixed(0)} after ${queries} queries`;
}

/** Signals for the audit record: every finite raw value and z, by feature name. */
export function findingSignals(raw: Float64Array, z: Float64Array, extra: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  FEATURE_SPECS.forEach((spec, f) => {
    const r = raw[f] as number;
    if (Number.isFinite(r)) out[spec.name] = round(r);
    out[`${spec.name}Z`] = round(z[f] as number);
  });
  for (const [k, v] of Object.entries(extra)) if (Number.isFinite(v)) out[k] = round(v);
  return out;
}

function formatRaw(unit: FeatureSpec["unit"], v: number): string {
  if (unit === "share") return `${(100 * v).toFixed(0)}%`;
  if (unit === "perMinute") return `${v.toFixed(1)}/min`;
  return v.toFixed(unit === "ratio" ? 2 : 1);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
