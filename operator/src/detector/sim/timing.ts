/** When simulated clients send: bursts with think times, steady arrivals, batch runs. */
import type { Prng } from "../prng.js";
import { diurnalActivity } from "./agent.js";

export interface Timing {
  /** Delay after a request sent at `nowMs` until the next one; undefined when the client is done. */
  nextDelay(nowMs: number): number | undefined;
}

const MINUTE_MS = 60_000;

/**
 * An interactive user: sessions of a few requests with think times between them, and long
 * pauses between sessions that are longer at quiet times of day.
 */
export class SessionTiming implements Timing {
  private left: number;

  constructor(
    private readonly rng: Prng,
    private readonly p: { sessionGapMs: number; meanSessionLength: number; thinkMedianMs: number; thinkSigma: number },
  ) {
    this.left = this.sessionLength();
  }

  nextDelay(nowMs: number): number {
    if (--this.left > 0) return this.rng.logNormal(this.p.thinkMedianMs, this.p.thinkSigma);
    this.left = this.sessionLength();
    return this.rng.exponential(this.p.sessionGapMs) / diurnalActivity(nowMs);
  }

  private sessionLength(): number {
    return 1 + this.rng.geometric(1 / this.p.meanSessionLength);
  }
}

/** A service calling the model at a steady average rate (Poisson arrivals, diurnal). */
export class SteadyTiming implements Timing {
  constructor(
    private readonly rng: Prng,
    private readonly perMinute: number,
  ) {}

  nextDelay(nowMs: number): number {
    return this.rng.exponential(MINUTE_MS / this.perMinute) / diurnalActivity(nowMs);
  }
}

/** A probe on a timer: one request every `periodMs`, with a little jitter, at any time of day. */
export class FixedRateTiming implements Timing {
  constructor(
    private readonly rng: Prng,
    private readonly periodMs: number,
  ) {}

  nextDelay(): number {
    return this.periodMs * this.rng.uniform(0.95, 1.05);
  }
}

/** A batch job: runs of `runLength()` requests at a fixed rate, with long gaps between runs. */
export class BatchTiming implements Timing {
  private left: number;

  constructor(
    private readonly rng: Prng,
    private readonly p: { perSecond: number; runGapMs: number; runLength: () => number },
  ) {
    this.left = p.runLength();
  }

  nextDelay(): number {
    if (--this.left > 0) return (1000 / this.p.perSecond) * this.rng.uniform(0.9, 1.1);
    this.left = this.p.runLength();
    return this.rng.exponential(this.p.runGapMs);
  }
}

/** A scripted client: one request every 1/perSecond seconds with a little jitter, up to `max` requests. */
export class ScriptedTiming implements Timing {
  private sent = 0;

  constructor(
    private readonly rng: Prng,
    private readonly perSecond: number,
    private readonly max: number,
  ) {}

  nextDelay(): number | undefined {
    if (++this.sent >= this.max) return undefined;
    return (1000 / this.perSecond) * this.rng.uniform(0.7, 1.3);
  }
}

/** A slow-and-low attacker: a benign interactive pace (Poisson, a few per minute), up to `max` requests. */
export class PacedTiming implements Timing {
  private sent = 0;

  constructor(
    private readonly rng: Prng,
    private readonly perMinute: number,
    private readonly max: number,
  ) {}

  nextDelay(): number | undefined {
    if (++this.sent >= this.max) return undefined;
    return this.rng.exponential(MINUTE_MS / this.perMinute);
  }
}
