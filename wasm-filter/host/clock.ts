// The host's time source. Tests own it: time moves only when they advance it,
// so timers and timestamps are deterministic.

export class ManualClock {
  constructor(private nowNs: bigint = 1_700_000_000_000_000_000n) {}

  /** Nanoseconds since the Unix epoch. */
  now(): bigint {
    return this.nowNs;
  }

  set(ns: bigint): void {
    if (ns < this.nowNs) throw new RangeError("the clock does not go backwards");
    this.nowNs = ns;
  }
}

export const NS_PER_MS = 1_000_000n;
