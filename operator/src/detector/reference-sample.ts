/**
 * A model's reference sample of normal inputs: where real users' inputs lie. It is a decaying
 * reservoir (it follows drift over `horizon` admitted inputs), fed only by clients that are not
 * under suspicion, with a cap on the slots any one client holds, so neither a batch job nor an
 * attacker defines "normal". Distances from it are always computed without the asking client's own
 * slots, so a client can never vouch for itself.
 */
import type { Prng } from "./prng.js";
import { SKETCH_DIM } from "./sketch.js";
import { normalQuantile, quantileInPlace } from "./robust-stats.js";
import { squaredDistance, squaredDistanceUpTo, transformRows } from "./vectors.js";
import { covariance } from "./whitening.js";

/** Distances that make a model's inputs comparable: typical spacing and the on-manifold limit. */
export interface ReferenceScale {
  /** Median distance from a normal input to its nearest neighbour (other clients only). */
  spacing: number;
  /** The `quantile` of the k-th neighbour distance of normal inputs: beyond it, off-manifold. */
  offManifold: number;
}

const EMPTY = -1;
/** Quantile the off-manifold limit is extrapolated from. */
const SCALE_QUANTILE = 0.9;

export class ReferenceSample {
  private readonly points: Float32Array;
  private readonly owners: Int32Array;
  private readonly heldBy = new Map<number, number>();
  private filled = 0;
  private changes = 0;
  private totalChanges = 0;
  private current: ReferenceScale | undefined;
  /** Scratch: the k smallest squared distances of the query in progress. */
  private readonly best: Float64Array;
  private readonly found = { nearest: NaN, kth: NaN };

  constructor(
    private readonly size: number,
    private readonly horizon: number,
    private readonly slotsPerOwner: number,
    private readonly neighbourCount: number,
    private readonly quantile: number,
    private readonly rng: Prng,
  ) {
    this.points = new Float32Array(size * SKETCH_DIM);
    this.owners = new Int32Array(size).fill(EMPTY);
    this.best = new Float64Array(neighbourCount);
  }

  get count(): number {
    return this.filled;
  }

  get ownerCount(): number {
    return this.heldBy.size;
  }

  /** Offers one input of a client in good standing; it is kept with a probability that makes the sample decay. */
  offer(input: Float32Array, at: number, owner: number): void {
    const held = this.heldBy.get(owner) ?? 0;
    if (held >= this.slotsPerOwner) return;
    let slot: number;
    if (this.filled < this.size) {
      slot = this.owners.indexOf(EMPTY);
      this.filled++;
    } else {
      if (!this.rng.chance(this.size / Math.max(this.size, this.horizon))) return;
      slot = this.rng.int(this.size);
      this.release(this.owners[slot] as number);
    }
    this.points.set(input.subarray(at, at + SKETCH_DIM), slot * SKETCH_DIM);
    this.owners[slot] = owner;
    this.heldBy.set(owner, held + 1);
    this.changes++;
    this.totalChanges++;
  }

  /** Admissions and removals since the sample was created (to tell how much it has turned over). */
  get turnover(): number {
    return this.totalChanges;
  }

  /** Covariance of the stored inputs. */
  covariance(): Float64Array {
    return covariance(this.points, this.size, (slot) => this.owners[slot] !== EMPTY);
  }

  /** Re-projects the stored inputs (the model's whitening changed by `m`); the scale is re-estimated. */
  transform(m: Float64Array): void {
    transformRows(m, this.points, 0, this.size);
    this.current = undefined;
  }

  /** Forgets every input of a client (it became suspect, or was evicted). */
  purge(owner: number): void {
    if (!this.heldBy.has(owner)) return;
    for (let s = 0; s < this.size; s++) {
      if (this.owners[s] === owner) {
        this.owners[s] = EMPTY;
        this.filled--;
        this.changes++;
        this.totalChanges++;
      }
    }
    this.heldBy.delete(owner);
  }

  /** Whether the sample holds enough inputs from enough clients to stand for normal traffic. */
  usable(minInputs: number, minOwners: number): boolean {
    return this.filled >= minInputs && this.heldBy.size >= minOwners;
  }

  /** The scale, re-estimated once enough of the sample changed; undefined until the sample is usable. */
  scale(minInputs: number, minOwners: number): ReferenceScale | undefined {
    if (!this.usable(minInputs, minOwners)) return undefined;
    if (this.current === undefined || this.changes * 16 >= this.size) {
      this.current = this.estimateScale();
      this.changes = 0;
    }
    return this.current;
  }

  /**
   * Distances from an input to its nearest and k-th nearest reference input of another client
   * (NaN when there are too few); the result object is reused by the next call.
   */
  neighbours(input: Float32Array, at: number, owner: number): { nearest: number; kth: number } {
    const k = this.neighbourCount;
    const best = this.best.fill(Infinity);
    let seen = 0;
    for (let s = 0; s < this.size; s++) {
      const o = this.owners[s] as number;
      if (o === EMPTY || o === owner) continue;
      seen++;
      keepSmallest(best, squaredDistanceUpTo(input, at, this.points, s * SKETCH_DIM, best[k - 1] as number));
    }
    const out = this.found;
    out.nearest = seen > 0 ? Math.sqrt(best[0] as number) : NaN;
    out.kth = seen >= k ? Math.sqrt(best[k - 1] as number) : NaN;
    return out;
  }

  private release(owner: number): void {
    if (owner === EMPTY) return;
    const held = (this.heldBy.get(owner) ?? 1) - 1;
    if (held <= 0) this.heldBy.delete(owner);
    else this.heldBy.set(owner, held);
  }

  /** Leave-one-out over the sample: each input against the other clients' inputs. */
  private estimateScale(): ReferenceScale {
    const nearest: number[] = [];
    const kth: number[] = [];
    const k = this.neighbourCount;
    const best = new Float64Array(k);
    for (let a = 0; a < this.size; a++) {
      const owner = this.owners[a] as number;
      if (owner === EMPTY) continue;
      best.fill(Infinity);
      for (let b = 0; b < this.size; b++) {
        const o = this.owners[b] as number;
        if (o === EMPTY || o === owner) continue;
        keepSmallest(best, squaredDistance(this.points, a * SKETCH_DIM, this.points, b * SKETCH_DIM));
      }
      if (Number.isFinite(best[k - 1] as number)) {
        nearest.push(Math.sqrt(best[0] as number));
        kth.push(Math.sqrt(best[k - 1] as number));
      }
    }
    // The upper quantile is extrapolated from the median and the 90th percentile: a direct 99th
    // percentile would be set by the few inputs of any client not yet found out.
    const median = quantileInPlace(kth, 0.5);
    const upper = quantileInPlace(kth, SCALE_QUANTILE);
    const offManifold = median + ((upper - median) * normalQuantile(this.quantile)) / normalQuantile(SCALE_QUANTILE);
    return { spacing: quantileInPlace(nearest, 0.5), offManifold: Math.max(upper, offManifold) };
  }
}

/** Inserts `d` into the ascending list `best` if it is among its smallest values. */
function keepSmallest(best: Float64Array, d: number): void {
  const last = best.length - 1;
  if (d >= (best[last] as number)) return;
  let i = last;
  while (i > 0 && (best[i - 1] as number) > d) {
    best[i] = best[i - 1] as number;
    i--;
  }
  best[i] = d;
}
