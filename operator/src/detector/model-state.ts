/** What the detector keeps per (policy, model) and per client. */
import { FeatureBaseline } from "./baseline.js";
import { ClientWindow } from "./client-window.js";
import { Evidence } from "./evidence.js";
import { fnv1a32 } from "./fnv1a.js";
import type { DetectorOptions } from "./options.js";
import { Prng } from "./prng.js";
import { ReferenceSample } from "./reference-sample.js";
import { Whitening } from "./whitening.js";

/** Distinct clients a reference sample needs before distances to it mean anything. */
export const MIN_REFERENCE_OWNERS = 8;

const utf8 = new TextEncoder();

export interface ClientState {
  /** Small number identifying the client inside its model (reference sample slots). */
  readonly owner: number;
  readonly client: string;
  tier: string;
  readonly window: ClientWindow;
  readonly evidence: Evidence;
  /** Records since the client was last scored. */
  unscored: number;
  /** Scored and found normal: its inputs may join the reference sample. */
  vetted: boolean;
}

export function newClientState(owner: number, client: string, o: DetectorOptions): ClientState {
  return {
    owner,
    client,
    tier: "",
    window: new ClientWindow(o.historySize),
    evidence: new Evidence({ allowance: o.allowance, alert: o.alertEvidence, throttle: o.throttleEvidence, block: o.blockEvidence }),
    unscored: 0,
    vetted: false,
  };
}

export class ModelState {
  readonly clients = new Map<string, ClientState>();
  /** Clients with records since the last evaluation. */
  readonly active = new Set<ClientState>();
  readonly baseline: FeatureBaseline;
  readonly reference: ReferenceSample;
  readonly whitening = new Whitening();
  /** Reference turnover when the whitening was last estimated. */
  whitenedAtTurnover = 0;
  nextOwner = 0;
  baselineDueMs = -Infinity;

  constructor(
    readonly policy: string,
    readonly model: string,
    o: DetectorOptions,
  ) {
    this.baseline = new FeatureBaseline(o.baselineQuantile, o.baselineSmoothing);
    // Seeded by its key, so a model's sampling does not depend on which other models exist.
    const seed = (o.seed ^ fnv1a32(utf8.encode(`${policy}\u0000${model}`))) >>> 0;
    this.reference = new ReferenceSample(o.referenceSize, o.referenceHorizon, o.referenceSlotsPerClient, o.neighbours, o.offManifoldQuantile, new Prng(seed));
  }
}
