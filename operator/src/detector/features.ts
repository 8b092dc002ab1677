/**
 * Per-client features over its recent window, each a number where larger means "more like
 * model extraction". They are log-scaled, so that a user who edits each record a few times and an
 * attacker who probes the same spot a hundred times are far apart, and shrunk towards a normal value
 * while a client has few queries (a handful of queries is weak evidence either way).
 */
import { DENIED, EXACT_REPEAT, FAILED, HAS_INPUT, type ClientWindow } from "./client-window.js";

export interface FeatureSpec {
  readonly name: string;
  /** What a high value means, for the finding's reason line. */
  readonly label: string;
  /** How the raw value is printed. */
  readonly unit: "share" | "count" | "ratio" | "perMinute";
  /** Weight in the combined score (0: shown in findings, not scored). */
  readonly weight: number;
  /** Smallest scale the baseline may use: differences below it are noise, not evidence. */
  readonly minScale: number;
  /** Largest standardized score the feature may contribute. */
  readonly maxZ: number;
}

export const FEATURE_SPECS = [
  // Many earlier inputs close to each new one: probing the same spot (perturbations, fine grids, bisection).
  { name: "revisits", label: "earlier inputs near each input", unit: "count", weight: 1, minScale: 0.25, maxZ: 8 },
  // Inputs far from every real user's: uniform random or out-of-distribution probing.
  { name: "offManifold", label: "inputs unlike real traffic", unit: "share", weight: 1, minScale: 0.3, maxZ: 8 },
  // Three or more steps along one line: grid and boundary sweeps.
  { name: "sweep", label: "steps continuing a line", unit: "share", weight: 1, minScale: 0.15, maxZ: 8 },
  // Typical (geometric mean) distance to the client's nearest earlier input, relative to normal traffic (PRADA's signal); shown only.
  { name: "spacing", label: "nearest-input distance vs normal", unit: "ratio", weight: 0, minScale: 0.3, maxZ: 8 },
  { name: "failures", label: "failed or denied requests", unit: "share", weight: 0.5, minScale: 0.15, maxZ: 4 },
  // Rate alone never flags anyone (batch jobs are fast); it only adds to other evidence.
  { name: "rate", label: "requests per minute", unit: "perMinute", weight: 0.25, minScale: 0.5, maxZ: 4 },
] as const satisfies readonly FeatureSpec[];

export type FeatureName = (typeof FEATURE_SPECS)[number]["name"];
export const FEATURE_COUNT = FEATURE_SPECS.length;

/** Priors a client's shares start from (what a normal client is expected to show). */
const PRIOR = { sweep: 0.02, failures: 0.01 } as const;

export interface FeatureSettings {
  collinearCosine: number;
  sweepSteps: number;
  offManifoldQuantile: number;
  priorQueries: number;
}

export interface ClientFeatures {
  /** Inputs in the window. */
  inputs: number;
  /** Exact repeats of an earlier input (retries, re-scoring): they reveal nothing new, so they are never scored. */
  exactRepeats: number;
  /** Human-scale values: shares in 0..1, mean revisits, spacing ratio, requests per minute. */
  raw: Float64Array;
  /** The values the baseline standardizes (NaN when the client has nothing to measure). */
  values: Float64Array;
}

/** Share of hits shrunk towards `prior` by `pseudo` pseudo-observations, as −ln(1 − share). */
export function concentration(hits: number, total: number, prior: number, pseudo: number): number {
  const p = (hits + pseudo * prior) / (total + pseudo);
  return -Math.log(Math.max(1e-9, 1 - p));
}

export function clientFeatures(w: ClientWindow, s: FeatureSettings): ClientFeatures {
  let inputs = 0;
  let exactRepeats = 0;
  let revisited = 0;
  let revisitSum = 0;
  let revisitLogSum = 0;
  let placed = 0;
  let offManifold = 0;
  let steps = 0;
  let collinear = 0;
  let failures = 0;
  let spaced = 0;
  let logSpacingSum = 0;
  // Oldest first, so runs of steps along one line can be followed.
  let run = 0;
  for (let i = w.size - 1; i >= 0; i--) {
    const slot = w.slot(i);
    const flags = w.flags[slot] as number;
    if (flags & (FAILED | DENIED)) failures++;
    if (!(flags & HAS_INPUT)) continue;
    inputs++;
    if (flags & EXACT_REPEAT) {
      exactRepeats++;
      continue;
    }
    const spacing = w.spacingRatio[slot] as number;
    if (!Number.isNaN(spacing) && spacing > 0) {
      spaced++;
      logSpacingSum += Math.log(spacing);
    }
    const revisits = w.revisits[slot] as number;
    if (!Number.isNaN(revisits)) {
      revisited++;
      revisitSum += revisits;
      revisitLogSum += Math.log1p(revisits);
    }
    const off = w.offManifold[slot] as number;
    if (!Number.isNaN(off)) {
      placed++;
      offManifold += off;
    }
    const turn = w.turn[slot] as number;
    if (!Number.isNaN(turn)) {
      steps++;
      run = turn >= s.collinearCosine ? run + 1 : 0;
      // `run` counts turns, so a line of n steps has n - 1 of them.
      if (run >= s.sweepSteps - 1) collinear++;
    }
  }

  const a = s.priorQueries;
  const spacing = spaced > 0 ? logSpacingSum / spaced : NaN;
  const rate = requestsPerMinute(w);
  const raw = Float64Array.of(ratio(revisitSum, revisited), ratio(offManifold, placed), ratio(collinear, steps), Math.exp(spacing), ratio(failures, w.size), rate);
  const values = Float64Array.of(
    revisited > 0 ? revisitLogSum / (revisited + a) : NaN,
    placed > 0 ? concentration(offManifold, placed, 1 - s.offManifoldQuantile, a) : NaN,
    concentration(collinear, steps, PRIOR.sweep, a),
    // Closer than normal is suspicious, so the sign is flipped; shrunk like the others.
    Number.isNaN(spacing) ? NaN : (-spacing * spaced) / (spaced + a),
    concentration(failures, w.size, PRIOR.failures, a),
    rate > 0 ? Math.log(rate) : NaN,
  );
  return { inputs, exactRepeats, raw, values };
}

/** Requests per minute over the window (NaN with fewer than two records). */
export function requestsPerMinute(w: ClientWindow): number {
  if (w.size < 2) return NaN;
  const newest = w.times[w.slot(0)] as number;
  const oldest = w.times[w.slot(w.size - 1)] as number;
  // A burst within one millisecond still has a finite rate.
  return ((w.size - 1) * 60_000) / Math.max(1, newest - oldest);
}

function ratio(hits: number, total: number): number {
  return total > 0 ? hits / total : NaN;
}
