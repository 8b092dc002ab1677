/** Settings of the extraction evaluation, and the simulated deployment every pipeline sees. */
import type { DetectorOptions } from "../options.js";
import type { PipelineSetup } from "./pipeline.js";
import { TabularModel } from "./tabular-model.js";

export interface EvalOptions {
  seed: number;
  /** Virtual epoch time at which the simulation starts. */
  startMs: number;
  durationMs: number;
  benignClients: number;
  attackersPerType: number;
  /** Model pods behind the load balancer, each with its own filter. */
  pods: number;
  /** Every pod reports, and the detector evaluates, at this period. */
  tickMs: number;
  /** Fast attackers stop after this many queries (slow-and-low ones run until the end). */
  maxAttackQueries: number;
  detector: Partial<DetectorOptions>;
}

/** What the evaluation must show (issue #7). */
export const EVAL_TARGETS = {
  /** Every attacker detected within this many of its queries. */
  maxQueriesToDetection: 500,
  /** At most this share of benign clients with any finding. */
  maxFalsePositiveRate: 0.01,
} as const;

const HOUR_MS = 3_600_000;

/** `npm run eval:extraction`: three virtual hours of a Monday morning, 240 benign clients, 6 attackers per type. */
export const FULL_EVAL: Readonly<EvalOptions> = {
  seed: 20260302,
  startMs: Date.UTC(2026, 2, 2, 7),
  durationMs: 3 * HOUR_MS,
  benignClients: 240,
  attackersPerType: 6,
  pods: 3,
  tickMs: 2_000,
  maxAttackQueries: 1_500,
  detector: {},
};

/** A shorter run for the test suite. */
export const QUICK_EVAL: Readonly<EvalOptions> = {
  ...FULL_EVAL,
  seed: 11,
  durationMs: 1.75 * HOUR_MS,
  benignClients: 100,
  attackersPerType: 3,
  maxAttackQueries: 700,
};

export const EVAL_POLICY = "ml/tabular-classifier";
export const EVAL_MODEL = "credit-risk";

/** The simulated model and the deployment a pipeline needs, derived from the seed only. */
export function simulationSetup(options: Pick<EvalOptions, "seed" | "pods">): { model: TabularModel; setup: PipelineSetup } {
  const model = new TabularModel(options.seed);
  return {
    model,
    setup: {
      policy: EVAL_POLICY,
      model: EVAL_MODEL,
      pods: options.pods,
      requestsPerMinute: { free: 60, pro: 600, batch: 3000 },
      upstream: (body) => model.respond(body).status,
    },
  };
}
