/** Where benign clients' inputs come from: real records, as their users would send them. */
import type { Prng } from "../prng.js";
import { FEATURES, round2, type TabularModel } from "./tabular-model.js";

export interface InputSource {
  next(): number[];
}

/** Records drawn from the whole population, or from a client's own mix of segments. */
export class RecordInputs implements InputSource {
  constructor(
    private readonly model: TabularModel,
    private readonly rng: Prng,
    private readonly clusterWeights?: readonly number[],
  ) {}

  next(): number[] {
    if (this.clusterWeights === undefined) return this.model.sample(this.rng);
    let u = this.rng.next() * this.clusterWeights.reduce((a, b) => a + b, 0);
    for (let c = 0; c < this.clusterWeights.length; c++) {
      u -= this.clusterWeights[c] as number;
      if (u < 0) return this.model.sample(this.rng, c);
    }
    return this.model.sample(this.rng, this.clusterWeights.length - 1);
  }
}

/**
 * Records from one segment: one cluster, with the few attributes that define the segment (region,
 * product, age band, ...) pulled towards the segment's typical record; the others vary naturally.
 */
export class SegmentInputs implements InputSource {
  private readonly anchor: number[];
  private readonly pull: number[];

  constructor(
    private readonly model: TabularModel,
    private readonly rng: Prng,
    private readonly cluster: number,
    definingAttributes: number,
    tightness: number,
  ) {
    this.anchor = model.sample(rng, cluster);
    const fields = Array.from({ length: FEATURES }, (_, i) => i);
    const defining = new Set(Array.from({ length: definingAttributes }, () => fields.splice(rng.int(fields.length), 1)[0] as number));
    this.pull = Array.from({ length: FEATURES }, (_, i) => (defining.has(i) ? tightness : 1));
  }

  next(): number[] {
    const x = this.model.sample(this.rng, this.cluster);
    return x.map((v, i) => round2((this.anchor[i] as number) + (this.pull[i] as number) * (v - (this.anchor[i] as number))));
  }
}

/**
 * A what-if user: after each record, a few edited resubmissions that change one or two of the
 * fields the user can act on (amount, term, ...) by a moderate step; sometimes an exact retry.
 */
export class WhatIfInputs implements InputSource {
  private current: number[] | undefined;
  private editsLeft = 0;
  private readonly editable: number[];

  constructor(
    private readonly model: TabularModel,
    private readonly rng: Prng,
    private readonly base: InputSource,
    private readonly meanEdits: number,
  ) {
    const fields = Array.from({ length: FEATURES }, (_, i) => i);
    this.editable = Array.from({ length: 3 }, () => fields.splice(rng.int(fields.length), 1)[0] as number);
  }

  next(): number[] {
    if (this.current === undefined || this.editsLeft === 0) {
      this.current = this.base.next();
      this.editsLeft = this.rng.geometric(1 / (1 + this.meanEdits));
      return this.current;
    }
    this.editsLeft--;
    if (this.rng.chance(0.1)) return this.current; // a retry of the same record
    const edited = [...this.current];
    const changes = this.rng.chance(0.7) ? 1 : 2;
    for (let c = 0; c < changes; c++) {
      const i = this.rng.pick(this.editable);
      const step = (this.model.sd[i] as number) * this.rng.uniform(0.1, 0.5) * (this.rng.chance(0.5) ? 1 : -1);
      edited[i] = round2(Math.min(this.model.hi[i] as number, Math.max(this.model.lo[i] as number, (edited[i] as number) + step)));
    }
    this.current = edited;
    return edited;
  }
}

/** A batch job's dataset: the same records in the same order on every run (nightly re-scoring). */
export class DatasetInputs implements InputSource {
  private readonly records: number[][];
  private position = 0;

  constructor(model: TabularModel, rng: Prng, size: number) {
    this.records = Array.from({ length: size }, () => model.sample(rng));
  }

  get size(): number {
    return this.records.length;
  }

  next(): number[] {
    const x = this.records[this.position] as number[];
    this.position = (this.position + 1) % this.records.length;
    return x;
  }
}
