/**
 * One client's recent history for one model: the last `capacity` records with what was judged
 * when each arrived (how close its nearest earlier input was, how many of its earlier inputs lie
 * close by, whether it lies off normal traffic, how its step turned from the previous one), plus the
 * last inputs themselves, whitened. Judgements are stored rather than raw distances, so they stay
 * valid when the model's whitening is re-estimated. Fixed-size typed arrays: bounded memory.
 */
import { SKETCH_DIM } from "./sketch.js";
import { squaredDistanceUpTo, transformRows } from "./vectors.js";

export const HAS_INPUT = 1;
export const FAILED = 2;
export const DENIED = 4;
/** Identical to an earlier input in the window (a retry or a re-scoring run). */
export const EXACT_REPEAT = 8;

/** Steps shorter than this (in whitened units, where normal inputs have unit spread) carry no direction. */
export const MIN_STEP = 0.02;
/**
 * Inputs closer than this (half a percent of a standard deviation) are the same input: re-projecting
 * stored float32 sketches leaves rounding of about a thousandth behind.
 */
export const SAME_INPUT = 0.005;

/** How a new input relates to the model's normal traffic; NaN fields are not known yet. */
export interface Placement {
  /** 1 when the input lies off normal traffic, 0 when on it. */
  offManifold: number;
  /** Radius within which the client's earlier inputs count as revisits. */
  revisitRadius: number;
  /** Typical distance between normal inputs. */
  spacing: number;
}

export class ClientWindow {
  /** Records ever added (not only those still in the window). */
  records = 0;
  /** Inputs (records with a sketch) ever added. */
  inputs = 0;
  /** Number of records in the ring; the newest is at `slot(0)`. */
  size = 0;
  readonly times: Float64Array;
  readonly flags: Uint8Array;
  /** Distance to the nearest earlier input, over the typical spacing of normal inputs. */
  readonly spacingRatio: Float32Array;
  /** Earlier inputs within the revisit radius, identical ones excepted. */
  readonly revisits: Float32Array;
  /** 1 off normal traffic, 0 on it. */
  readonly offManifold: Float32Array;
  /** |cos| between this step and the previous step. */
  readonly turn: Float32Array;
  private head = 0;

  private readonly sketches: Float32Array;
  private sketchHead = 0;
  private sketchCount = 0;
  private readonly last = new Float32Array(SKETCH_DIM);
  /** Unit vector of the latest step that had a direction. */
  private readonly direction = new Float32Array(SKETCH_DIM);
  private hasDirection = false;
  private readonly step = new Float32Array(SKETCH_DIM);

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.spacingRatio = new Float32Array(capacity);
    this.revisits = new Float32Array(capacity);
    this.offManifold = new Float32Array(capacity);
    this.turn = new Float32Array(capacity);
    this.sketches = new Float32Array(capacity * SKETCH_DIM);
  }

  /** Approximate bytes held by one window. */
  static bytes(capacity: number): number {
    return capacity * (8 + 1 + 4 * 4 + 4 * SKETCH_DIM) + 12 * SKETCH_DIM + 128;
  }

  /** Index into the ring of the i-th most recent record (0 = newest). */
  slot(i: number): number {
    return (this.head - 1 - i + this.capacity) % this.capacity;
  }

  /** The stored sketches (whitened), for the reference sample to copy from. */
  get storage(): Float32Array {
    return this.sketches;
  }

  /**
   * Adds one record. `input[at…]` is its whitened sketch (absent for a request without a JSON
   * body); `place` judges it against normal traffic once it is stored at `storage[stored…]`.
   */
  add(t: number, failed: boolean, denied: boolean, input: Float32Array | undefined, at: number, place: (stored: number) => Placement): void {
    const slot = this.head;
    this.head = (this.head + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
    this.records++;
    this.times[slot] = t;
    this.flags[slot] = (input !== undefined ? HAS_INPUT : 0) | (failed ? FAILED : 0) | (denied ? DENIED : 0);
    this.spacingRatio[slot] = NaN;
    this.revisits[slot] = NaN;
    this.offManifold[slot] = NaN;
    this.turn[slot] = NaN;
    if (input === undefined) return;
    this.inputs++;

    const stored = this.sketchHead * SKETCH_DIM;
    this.sketches.set(input.subarray(at, at + SKETCH_DIM), stored);
    const placement = place(stored);
    // Once the ring is full, the oldest stored input is the slot just overwritten.
    const earlier = Math.min(this.sketchCount, this.capacity - 1);
    const radius2 = placement.revisitRadius * placement.revisitRadius;
    let nearest = Infinity;
    let revisits = 0;
    for (let i = 0; i < earlier; i++) {
      const j = (this.sketchHead - 1 - i + this.capacity) % this.capacity;
      const d = squaredDistanceUpTo(this.sketches, stored, this.sketches, j * SKETCH_DIM, Math.max(nearest, radius2));
      if (d < nearest) nearest = d;
      if (d > SAME_INPUT * SAME_INPUT && d < radius2) revisits++;
    }
    if (nearest <= SAME_INPUT * SAME_INPUT) this.flags[slot] = (this.flags[slot] as number) | EXACT_REPEAT;
    this.spacingRatio[slot] = earlier > 0 ? Math.sqrt(nearest) / placement.spacing : NaN;
    this.revisits[slot] = Number.isNaN(radius2) ? NaN : revisits;
    this.offManifold[slot] = placement.offManifold;
    if (this.inputs > 1) this.turn[slot] = this.measureTurn(stored);
    this.last.set(this.sketches.subarray(stored, stored + SKETCH_DIM));
    this.sketchHead = (this.sketchHead + 1) % this.capacity;
    this.sketchCount = Math.min(this.sketchCount + 1, this.capacity);
  }

  /** Re-projects the stored sketches (the model's whitening changed by `m`). */
  transform(m: Float64Array): void {
    transformRows(m, this.sketches, 0, this.sketchCount);
    transformRows(m, this.last, 0, 1);
    transformRows(m, this.direction, 0, 1);
    let len = 0;
    for (const v of this.direction) len += v * v;
    len = Math.sqrt(len);
    if (len > 0) for (let j = 0; j < SKETCH_DIM; j++) this.direction[j] = (this.direction[j] as number) / len;
  }

  /** |cos| between the step to the input at `at` and the previous step; remembers this step. */
  private measureTurn(at: number): number {
    let len = 0;
    for (let j = 0; j < SKETCH_DIM; j++) {
      const d = (this.sketches[at + j] as number) - (this.last[j] as number);
      this.step[j] = d;
      len += d * d;
    }
    len = Math.sqrt(len);
    if (len < MIN_STEP) return NaN;
    let dot = 0;
    for (let j = 0; j < SKETCH_DIM; j++) {
      const unit = (this.step[j] as number) / len;
      dot += unit * (this.direction[j] as number);
      this.direction[j] = unit;
    }
    const turn = this.hasDirection ? Math.abs(dot) : NaN;
    this.hasDirection = true;
    return turn;
  }
}
