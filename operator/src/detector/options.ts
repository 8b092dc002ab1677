/** Tunables of the extraction detector; every default is explained where it is used. */
export interface DetectorOptions {
  /** Records kept per client (and per model): the window its features are computed over. */
  historySize: number;
  /** Clients tracked per model; the least recently seen is forgotten first. */
  maxClientsPerModel: number;
  /** Clients tracked over all models (each costs about 11 KB with the default history). */
  maxClients: number;
  /** (policy, model) pairs tracked; the least recently seen is forgotten first. */
  maxModels: number;

  /** Inputs in each model's reference sample of normal traffic. */
  referenceSize: number;
  /** Admitted inputs per full turnover of a full reference sample: how long its memory is. */
  referenceHorizon: number;
  /** Slots one client may hold in the reference sample, so no client can define "normal". */
  referenceSlotsPerClient: number;
  /** Neighbours used for the distance to normal traffic (k-th nearest reference input). */
  neighbours: number;
  /** Share of normal inputs whose k-th neighbour distance counts as on-manifold. */
  offManifoldQuantile: number;
  /**
   * Radius within which a client's earlier inputs count as revisits, relative to how densely real
   * inputs lie there (the distance to the nearest reference input, at most the typical spacing).
   */
  revisitRadius: number;
  /** |cos| between consecutive steps at or above which they continue one line. */
  collinearCosine: number;
  /** Consecutive steps along one line that make a sweep (a user editing one field twice is not one). */
  sweepSteps: number;

  /** Inputs a client must have sent before it is scored. */
  minQueries: number;
  /** Pseudo-queries shrinking a client's shares towards the prior while it has few queries. */
  priorQueries: number;
  /** Scored clients needed before a model's baseline exists; until then nothing is scored. */
  baselineMinClients: number;
  /** Clients in the baseline before severities above alert are used. */
  baselineFullClients: number;
  /** Upper quantile that sets the scale of each feature (robust to the benign tail). */
  baselineQuantile: number;
  /** Weight of a new baseline estimate against the previous one (exponential smoothing). */
  baselineSmoothing: number;
  /** How often a model's baseline is re-estimated. */
  baselineIntervalMs: number;

  /** Score a client may have per query without accumulating evidence (CUSUM allowance). */
  allowance: number;
  /** Evidence at which the severity rises to alert, throttle and block. */
  alertEvidence: number;
  throttleEvidence: number;
  blockEvidence: number;

  /** Records older than this behind the newest time are processed even if a pod has not reported. */
  maxLatenessMs: number;
  /** A source not heard from for this long no longer holds records back. */
  sourceTimeoutMs: number;
  /** Records waiting for reordering, over all policies; beyond this the oldest are processed early. */
  maxPendingRecords: number;

  /** Seed of the reference sampling, so a run is reproducible. */
  seed: number;
}

export const DEFAULT_DETECTOR_OPTIONS: Readonly<DetectorOptions> = {
  historySize: 128,
  maxClientsPerModel: 4096,
  maxClients: 16_384,
  maxModels: 64,
  referenceSize: 256,
  referenceHorizon: 4096,
  referenceSlotsPerClient: 4,
  neighbours: 3,
  offManifoldQuantile: 0.99,
  revisitRadius: 1.0,
  collinearCosine: 0.95,
  sweepSteps: 3,
  minQueries: 16,
  priorQueries: 8,
  baselineMinClients: 10,
  baselineFullClients: 30,
  baselineQuantile: 0.9,
  baselineSmoothing: 0.2,
  baselineIntervalMs: 10_000,
  allowance: 5,
  alertEvidence: 64,
  throttleEvidence: 256,
  blockEvidence: 1024,
  maxLatenessMs: 10_000,
  sourceTimeoutMs: 30_000,
  maxPendingRecords: 200_000,
  seed: 1,
};

export function resolveOptions(overrides: Partial<DetectorOptions> = {}): DetectorOptions {
  const o = { ...DEFAULT_DETECTOR_OPTIONS, ...overrides };
  const positiveInts: (keyof DetectorOptions)[] = [
    "historySize",
    "maxClientsPerModel",
    "maxClients",
    "maxModels",
    "referenceSize",
    "referenceHorizon",
    "referenceSlotsPerClient",
    "neighbours",
    "sweepSteps",
    "minQueries",
    "baselineMinClients",
    "baselineFullClients",
    "maxPendingRecords",
  ];
  for (const k of positiveInts) {
    if (!Number.isInteger(o[k]) || o[k] <= 0) throw new RangeError(`detector option ${k} must be a positive integer, got ${o[k]}`);
  }
  const fractions: (keyof DetectorOptions)[] = ["offManifoldQuantile", "collinearCosine", "baselineQuantile"];
  for (const k of fractions) {
    if (!(o[k] > 0 && o[k] < 1)) throw new RangeError(`detector option ${k} must be in (0, 1), got ${o[k]}`);
  }
  if (!(o.baselineSmoothing > 0 && o.baselineSmoothing <= 1)) throw new RangeError("detector option baselineSmoothing must be in (0, 1]");
  if (!(o.revisitRadius > 0 && Number.isFinite(o.revisitRadius))) throw new RangeError("detector option revisitRadius must be a finite number > 0");
  if (o.baselineQuantile <= 0.5) throw new RangeError("detector option baselineQuantile must be above 0.5");
  if (o.neighbours >= o.referenceSize) throw new RangeError("detector option neighbours must be below referenceSize");
  if (!(o.alertEvidence > 0 && o.alertEvidence <= o.throttleEvidence && o.throttleEvidence <= o.blockEvidence)) {
    throw new RangeError("detector options need 0 < alertEvidence <= throttleEvidence <= blockEvidence");
  }
  for (const k of ["allowance", "priorQueries", "maxLatenessMs", "sourceTimeoutMs", "baselineIntervalMs"] as const) {
    if (!(o[k] >= 0 && Number.isFinite(o[k]))) throw new RangeError(`detector option ${k} must be a finite number >= 0`);
  }
  return o;
}
