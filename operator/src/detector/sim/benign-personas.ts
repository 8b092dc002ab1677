/**
 * Benign clients with the behaviours that make extraction detection hard: interactive users,
 * what-if users who resubmit edited records, users who stay in one segment, services at a
 * steady rate, batch jobs at a high rate (some re-scoring the same dataset every run), canaries
 * that send the same few records around the clock, rare users with a handful of queries; most
 * diurnal, and all occasionally sending a broken request.
 */
import { Prng } from "../prng.js";
import type { Agent, AgentRequest } from "./agent.js";
import { DatasetInputs, RecordInputs, SegmentInputs, WhatIfInputs, type InputSource } from "./benign-inputs.js";
import { FEATURES, kserveBody, round2, type TabularModel } from "./tabular-model.js";
import { BatchTiming, FixedRateTiming, SessionTiming, SteadyTiming, type Timing } from "./timing.js";

export const BENIGN_PERSONAS = ["interactive", "what-if", "segment", "service", "batch", "canary", "rare"] as const;
export type BenignPersona = (typeof BENIGN_PERSONAS)[number];

/** Share of each persona in the benign population. */
const PERSONA_MIX: Readonly<Record<BenignPersona, number>> = {
  interactive: 0.3,
  "what-if": 0.15,
  segment: 0.13,
  service: 0.2,
  batch: 0.08,
  canary: 0.03,
  rare: 0.11,
};

const MINUTE_MS = 60_000;

class BenignAgent implements Agent {
  readonly attacker = false;

  constructor(
    readonly client: string,
    readonly tier: string,
    readonly kind: BenignPersona,
    readonly startMs: number,
    private readonly rng: Prng,
    private readonly model: TabularModel,
    private readonly inputs: InputSource,
    private readonly timing: Timing,
    private readonly errorRate: number,
  ) {}

  next(nowMs: number): AgentRequest {
    const x = this.inputs.next();
    const body = this.rng.chance(this.errorRate) ? this.brokenBody(x) : kserveBody(x);
    return { body, nextInMs: this.timing.nextDelay(nowMs) };
  }

  /** A client bug: truncated JSON, a missing feature, or a value out of range. */
  private brokenBody(x: number[]): string {
    const kind = this.rng.int(3);
    if (kind === 0) return kserveBody(x).slice(0, -2);
    if (kind === 1) return kserveBody(x.slice(0, FEATURES - 1));
    const i = this.rng.int(FEATURES);
    const broken = [...x];
    broken[i] = round2((this.model.hi[i] as number) + 10 * (this.model.sd[i] as number));
    return kserveBody(broken);
  }
}

/** The persona of the i-th of n benign clients, following PERSONA_MIX. */
export function benignPersonaAt(i: number, n: number): BenignPersona {
  let acc = 0;
  const at = (i + 0.5) / n;
  for (const p of BENIGN_PERSONAS) {
    acc += PERSONA_MIX[p];
    if (at < acc) return p;
  }
  return "rare";
}

export function benignAgent(persona: BenignPersona, client: string, seed: number, model: TabularModel, simStartMs: number): Agent {
  const rng = new Prng(seed);
  const errorRate = rng.uniform(0, 0.03);
  const ownMix = () => model.clusters.map(() => rng.next() ** 3);
  const make = (tier: string, startInMs: number, inputs: InputSource, timing: Timing) =>
    new BenignAgent(client, tier, persona, simStartMs + Math.round(startInMs), rng, model, inputs, timing, errorRate);
  const session = (gapMinutes: number, length: number, thinkSeconds: number) =>
    new SessionTiming(rng, { sessionGapMs: gapMinutes * MINUTE_MS, meanSessionLength: length, thinkMedianMs: thinkSeconds * 1000, thinkSigma: 0.8 });

  switch (persona) {
    case "interactive":
      return make(rng.pick(["free", "pro"]), rng.exponential(20 * MINUTE_MS), new RecordInputs(model, rng, ownMix()), session(rng.uniform(20, 60), rng.uniform(5, 15), rng.uniform(6, 20)));
    case "what-if": {
      const base = new RecordInputs(model, rng, ownMix());
      return make("pro", rng.exponential(20 * MINUTE_MS), new WhatIfInputs(model, rng, base, rng.uniform(0.5, 4)), session(rng.uniform(20, 50), rng.uniform(8, 20), rng.uniform(5, 15)));
    }
    case "segment":
      return make(rng.pick(["free", "pro"]), rng.exponential(20 * MINUTE_MS), new SegmentInputs(model, rng, model.pickCluster(rng), 2 + rng.int(5), rng.uniform(0.1, 0.5)), session(rng.uniform(20, 60), rng.uniform(5, 20), rng.uniform(6, 20)));
    case "service":
      return make("pro", rng.uniform(0, 5 * MINUTE_MS), new RecordInputs(model, rng, rng.chance(0.5) ? undefined : ownMix()), new SteadyTiming(rng, rng.uniform(1, 8)));
    case "batch": {
      const rescoring = rng.chance(0.5);
      const dataset = new DatasetInputs(model, rng, Math.round(rng.uniform(100, 800)));
      const inputs = rescoring ? dataset : new RecordInputs(model, rng);
      const runLength = () => (rescoring ? dataset.size : Math.round(rng.uniform(300, 1500)));
      return make("batch", rng.uniform(0, 60 * MINUTE_MS), inputs, new BatchTiming(rng, { perSecond: rng.uniform(3, 8), runGapMs: rng.uniform(30, 70) * MINUTE_MS, runLength }));
    }
    case "canary": {
      // A synthetic probe: the same two or three records, every 15-60 s, day and night.
      const records = new DatasetInputs(model, rng, 2 + rng.int(2));
      return make("pro", rng.uniform(0, MINUTE_MS), records, new FixedRateTiming(rng, rng.uniform(15, 60) * 1000));
    }
    case "rare":
      return make("free", rng.exponential(60 * MINUTE_MS), new RecordInputs(model, rng, ownMix()), session(rng.uniform(60, 180), rng.uniform(1, 4), rng.uniform(10, 30)));
  }
}
