/**
 * How extraction attackers choose their queries (the literature's main families): uniform
 * random inputs, grid sweeps over features, line searches for class boundaries between inputs of
 * different classes, and perturbations around a few seed inputs (Gaussian or one feature at a time,
 * as in finite-difference gradient estimation).
 */
import type { Prng } from "../prng.js";
import { FEATURES, round2, type TabularModel } from "./tabular-model.js";

export interface AttackStrategy {
  next(): number[];
}

function clampToRange(model: TabularModel, x: number[]): number[] {
  return x.map((v, i) => round2(Math.min(model.hi[i] as number, Math.max(model.lo[i] as number, v))));
}

/** Independent uniform values over each feature's published range. */
export class UniformStrategy implements AttackStrategy {
  constructor(
    private readonly model: TabularModel,
    private readonly rng: Prng,
  ) {}

  next(): number[] {
    return Array.from({ length: FEATURES }, (_, i) => round2(this.rng.uniform(this.model.lo[i] as number, this.model.hi[i] as number)));
  }
}

/**
 * A sweep over the full range of one feature (1-D) or a raster over two (2-D), the other
 * features held at a real record; then the next feature(s) around a new record.
 */
export class GridStrategy implements AttackStrategy {
  private points: number[][] = [];

  constructor(
    private readonly model: TabularModel,
    private readonly rng: Prng,
    private readonly dims: 1 | 2,
    private readonly steps: number,
  ) {}

  next(): number[] {
    if (this.points.length === 0) this.points = this.plan();
    return this.points.shift() as number[];
  }

  private plan(): number[][] {
    const base = this.model.sample(this.rng);
    const i = this.rng.int(FEATURES);
    const j = (i + 1 + this.rng.int(FEATURES - 1)) % FEATURES;
    const at = (f: number, s: number) => (this.model.lo[f] as number) + (((this.model.hi[f] as number) - (this.model.lo[f] as number)) * s) / (this.steps - 1);
    const out: number[][] = [];
    for (let a = 0; a < (this.dims === 2 ? this.steps : 1); a++) {
      for (let b = 0; b < this.steps; b++) {
        const x = [...base];
        x[i] = at(i, b);
        if (this.dims === 2) x[j] = at(j, a);
        out.push(clampToRange(this.model, x));
      }
    }
    return out;
  }
}

/**
 * Line searches for the class boundary between two inputs of different classes: bisection
 * (halving steps) or a scan (equal steps). The attacker holds a few real records and learns
 * their classes by querying each once.
 */
export class BoundaryStrategy implements AttackStrategy {
  private readonly pool: number[][];
  private readonly labels = new Map<number, number>();
  private queue: number[][] = [];
  private search: { a: number[]; b: number[]; classA: number; lo: number; hi: number; left: number } | undefined;

  constructor(
    private readonly model: TabularModel,
    private readonly rng: Prng,
    private readonly mode: "bisect" | "scan",
    private readonly steps: number,
  ) {
    this.pool = Array.from({ length: 40 }, () => model.sample(rng));
  }

  next(): number[] {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    if (this.search !== undefined && this.search.left > 0) return this.bisectStep(this.search);
    return this.startSearch();
  }

  private startSearch(): number[] {
    const ia = this.rng.int(this.pool.length);
    const a = this.pool[ia] as number[];
    if (!this.labels.has(ia)) {
      this.labels.set(ia, this.model.classify(a));
      return a; // learn its class first
    }
    const classA = this.labels.get(ia) as number;
    const others = [...this.labels].filter(([, c]) => c !== classA).map(([i]) => i);
    if (others.length === 0) {
      const unknown = this.pool.findIndex((_, i) => !this.labels.has(i));
      const ib = unknown >= 0 ? unknown : this.rng.int(this.pool.length);
      this.labels.set(ib, this.model.classify(this.pool[ib] as number[]));
      return this.pool[ib] as number[];
    }
    const b = this.pool[this.rng.pick(others)] as number[];
    if (this.mode === "scan") {
      this.queue = Array.from({ length: this.steps }, (_, s) => this.along(a, b, (s + 1) / (this.steps + 1)));
      return this.queue.shift() as number[];
    }
    this.search = { a, b, classA, lo: 0, hi: 1, left: this.steps };
    return this.bisectStep(this.search);
  }

  private bisectStep(s: { a: number[]; b: number[]; classA: number; lo: number; hi: number; left: number }): number[] {
    const t = (s.lo + s.hi) / 2;
    const x = this.along(s.a, s.b, t);
    if (this.model.classify(x) === s.classA) s.lo = t;
    else s.hi = t;
    s.left--;
    return x;
  }

  private along(a: number[], b: number[], t: number): number[] {
    return clampToRange(
      this.model,
      a.map((v, i) => v + t * ((b[i] as number) - v)),
    );
  }
}

/** Queries around two or three seed records: Gaussian noise, or ± one feature at a time. */
export class PerturbationStrategy implements AttackStrategy {
  private readonly seeds: number[][];
  private cursor = 0;

  constructor(
    private readonly model: TabularModel,
    private readonly rng: Prng,
    private readonly mode: "gaussian" | "coordinate",
    private readonly relativeStep: number,
  ) {
    this.seeds = Array.from({ length: 2 + rng.int(2) }, () => model.sample(rng));
  }

  next(): number[] {
    const seed = this.rng.pick(this.seeds);
    if (this.mode === "gaussian") {
      return clampToRange(
        this.model,
        seed.map((v, i) => v + this.relativeStep * (this.model.sd[i] as number) * this.rng.normal()),
      );
    }
    const i = (this.cursor >> 1) % FEATURES;
    const sign = this.cursor & 1 ? -1 : 1;
    this.cursor++;
    const x = [...seed];
    x[i] = (x[i] as number) + sign * this.relativeStep * (this.model.sd[i] as number) * this.rng.uniform(0.5, 1.5);
    return clampToRange(this.model, x);
  }
}
