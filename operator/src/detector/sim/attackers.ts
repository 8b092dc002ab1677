/**
 * Extraction attackers for the evaluation: each attack family at a scripted rate, and the same
 * families slow-and-low, at the pace of a benign interactive user.
 */
import { Prng } from "../prng.js";
import type { Agent, AgentRequest } from "./agent.js";
import { BoundaryStrategy, GridStrategy, PerturbationStrategy, UniformStrategy, type AttackStrategy } from "./attack-strategies.js";
import { kserveBody, type TabularModel } from "./tabular-model.js";
import { PacedTiming, ScriptedTiming, type Timing } from "./timing.js";

export const ATTACK_TYPES = ["uniform-random", "grid-sweep", "boundary-sweep", "perturbation", "slow-and-low"] as const;
export type AttackType = (typeof ATTACK_TYPES)[number];

const MINUTE_MS = 60_000;

class AttackAgent implements Agent {
  readonly attacker = true;

  constructor(
    readonly client: string,
    readonly tier: string,
    readonly kind: AttackType,
    readonly startMs: number,
    private readonly strategy: AttackStrategy,
    private readonly timing: Timing,
  ) {}

  next(nowMs: number): AgentRequest {
    return { body: kserveBody(this.strategy.next()), nextInMs: this.timing.nextDelay(nowMs) };
  }
}

/** One of the four query strategies, varied per instance (dimensions, step sizes, modes). */
function strategyFor(family: Exclude<AttackType, "slow-and-low">, model: TabularModel, rng: Prng): AttackStrategy {
  switch (family) {
    case "uniform-random":
      return new UniformStrategy(model, rng);
    case "grid-sweep":
      return new GridStrategy(model, rng, rng.chance(0.5) ? 1 : 2, 8 + rng.int(17));
    case "boundary-sweep":
      return new BoundaryStrategy(model, rng, rng.chance(0.6) ? "bisect" : "scan", 6 + rng.int(10));
    case "perturbation":
      return new PerturbationStrategy(model, rng, rng.chance(0.6) ? "gaussian" : "coordinate", rng.uniform(0.02, 0.2));
  }
}

const FAMILIES = ["uniform-random", "grid-sweep", "boundary-sweep", "perturbation"] as const;

/**
 * The `instance`-th attacker of a type. Fast attackers start once the service has been running a
 * while and send up to `maxQueries` at a few per second; slow-and-low ones cycle through the four
 * families and send a few per minute for the rest of the run.
 */
export function attackAgent(type: AttackType, instance: number, client: string, seed: number, model: TabularModel, simStartMs: number, maxQueries: number): Agent {
  const rng = new Prng(seed);
  if (type === "slow-and-low") {
    const tier = rng.pick(["free", "pro"]);
    const family = FAMILIES[instance % FAMILIES.length] as (typeof FAMILIES)[number];
    const start = simStartMs + Math.round(rng.uniform(2, 15) * MINUTE_MS);
    return new AttackAgent(client, tier, type, start, strategyFor(family, model, rng), new PacedTiming(rng, rng.uniform(4, 8), maxQueries));
  }
  const start = simStartMs + Math.round(rng.uniform(10, 60) * MINUTE_MS);
  return new AttackAgent(client, "pro", type, start, strategyFor(type, model, rng), new ScriptedTiming(rng, rng.uniform(1, 5), maxQueries));
}
