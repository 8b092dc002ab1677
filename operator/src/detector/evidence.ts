/**
 * Evidence per client: a one-sided CUSUM over queries. Every query adds (score − allowance), and
 * the sum never drops below zero, so a client whose window looks normal accumulates nothing, one
 * noisy window does not flag anyone, and an attacker gathers evidence in proportion to the number
 * of queries it sends, not the time it takes: slow-and-low is judged like fast.
 * Severity follows the evidence with hysteresis: it rises at a threshold and falls only below
 * half of it.
 */
export const SEVERITIES = ["alert", "throttle", "block"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 0 = none, 1 = alert, 2 = throttle, 3 = block. */
export type Level = 0 | 1 | 2 | 3;

export function severityOf(level: Level): Severity | undefined {
  return level === 0 ? undefined : SEVERITIES[level - 1];
}

export interface EvidenceThresholds {
  allowance: number;
  alert: number;
  throttle: number;
  block: number;
}

export class Evidence {
  value = 0;
  level: Level = 0;
  /** Highest level reported since the level last fell. */
  reported: Level = 0;

  constructor(private readonly t: EvidenceThresholds) {}

  /**
   * Adds `queries` queries at window score `score`. Returns the level to report when it rose
   * above what was reported (capped by `maxLevel`), else undefined.
   */
  observe(score: number, queries: number, maxLevel: Level): Level | undefined {
    this.value = Math.max(0, this.value + queries * (score - this.t.allowance));
    while (this.level < 3 && this.value >= this.threshold((this.level + 1) as Level)) this.level = (this.level + 1) as Level;
    while (this.level > 0 && this.value < this.threshold(this.level) / 2) this.level = (this.level - 1) as Level;
    const effective = Math.min(this.level, maxLevel) as Level;
    if (effective < this.reported) this.reported = effective;
    if (effective > this.reported) {
      this.reported = effective;
      return effective;
    }
    return undefined;
  }

  private threshold(level: Level): number {
    return level === 1 ? this.t.alert : level === 2 ? this.t.throttle : level === 3 ? this.t.block : 0;
  }

  /** True while the client counts as suspect: it neither feeds nor shapes the model's baseline. */
  get suspect(): boolean {
    return this.level > 0 || this.value >= this.t.alert / 2;
  }
}
