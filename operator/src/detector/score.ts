/**
 * One number per client window: the sum of its features' positive robust z-scores, each weighted
 * and capped. Only deviations towards extraction count, and no single feature can dominate; the
 * evidence (evidence.ts) then accumulates it per query.
 */
import type { FeatureBaseline } from "./baseline.js";
import { FEATURE_COUNT, FEATURE_SPECS } from "./features.js";

export function standardizedScore(baseline: FeatureBaseline, values: Float64Array): { z: Float64Array; score: number } {
  const z = new Float64Array(FEATURE_COUNT);
  let score = 0;
  FEATURE_SPECS.forEach((spec, f) => {
    const zf = baseline.z(f, values[f] as number);
    z[f] = zf;
    score += spec.weight * Math.min(spec.maxZ, Math.max(0, zf));
  });
  return { z, score };
}
