/**
 * A simulated client: it decides what it sends and when. Each agent owns its own seeded
 * generator, so adding or removing one agent leaves every other agent's traffic unchanged.
 */
export interface AgentRequest {
  body: string;
  /** Delay until this agent's next request, or undefined when it is done. */
  nextInMs: number | undefined;
}

export interface Agent {
  readonly client: string;
  readonly tier: string;
  /** Persona (benign) or attack strategy, for the result table. */
  readonly kind: string;
  readonly attacker: boolean;
  /** Virtual time of its first request. */
  readonly startMs: number;
  next(nowMs: number): AgentRequest;
}

const HOUR_MS = 3_600_000;

/**
 * Relative activity by time of day (peak mid-afternoon, trough at night): traffic is diurnal.
 * `nowMs` is virtual epoch time in UTC.
 */
export function diurnalActivity(nowMs: number): number {
  const hour = (nowMs / HOUR_MS) % 24;
  return 0.55 + 0.45 * Math.cos((2 * Math.PI * (hour - 14)) / 24);
}
