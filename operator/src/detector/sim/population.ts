/** The simulated client population: benign personas and attackers, with neutral client ids. */
import { Prng } from "../prng.js";
import { fnv1a32 } from "../fnv1a.js";
import type { Agent } from "./agent.js";
import { ATTACK_TYPES, attackAgent } from "./attackers.js";
import { benignAgent, benignPersonaAt } from "./benign-personas.js";
import type { EvalOptions } from "./eval-options.js";
import type { TabularModel } from "./tabular-model.js";

/** A seed for one part of the simulation, stable when other parts change. */
export function partSeed(seed: number, ...parts: (string | number)[]): number {
  return fnv1a32(new TextEncoder().encode([seed, ...parts].join("/")));
}

export function population(o: EvalOptions, model: TabularModel): Agent[] {
  const total = o.benignClients + ATTACK_TYPES.length * o.attackersPerType;
  // Ids carry no hint of what a client is: numbers handed out in a shuffled order.
  const ids = Array.from({ length: total }, (_, i) => i);
  const rng = new Prng(partSeed(o.seed, "ids"));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
  }
  const id = (n: number) => `client-${String(ids[n]).padStart(4, "0")}`;

  const agents: Agent[] = [];
  for (let i = 0; i < o.benignClients; i++) {
    agents.push(benignAgent(benignPersonaAt(i, o.benignClients), id(agents.length), partSeed(o.seed, "benign", i), model, o.startMs));
  }
  for (const type of ATTACK_TYPES) {
    for (let k = 0; k < o.attackersPerType; k++) {
      const max = type === "slow-and-low" ? Infinity : o.maxAttackQueries;
      agents.push(attackAgent(type, k, id(agents.length), partSeed(o.seed, type, k), model, o.startMs, max));
    }
  }
  return agents;
}
