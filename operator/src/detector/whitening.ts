/**
 * Puts a model's sketches in a space where its normal inputs have unit variance in every
 * direction (whitening by the reference sample's covariance). Without it, a feature measured in
 * large units (an income in dollars) would dominate every distance, and probing the small-unit
 * features (ratios, flags) would be invisible. Directions with less variance than the sketch's
 * rounding carry no information and are not amplified.
 */
import { symmetricEigen } from "./eigen.js";
import { SKETCH_DIM } from "./sketch.js";

const D = SKETCH_DIM;
/**
 * Variance (raw sketch units) up to which a direction is not amplified. Sketches are rounded to
 * 0.001, so amplifying a direction with less spread than this would turn rounding into distance
 * (a feature's sketch variance is about its own variance: this is a spread of 0.1 in its units).
 */
export const NOISE_VARIANCE = 0.01;
/** Largest change of a transform entry that is not worth re-projecting every stored sketch. */
const NEGLIGIBLE_CHANGE = 0.05;

export class Whitening {
  /** Raw → whitened (symmetric), and its inverse. */
  private forward = identity();
  private inverse = identity();
  ready = false;

  /** Writes the whitened form of a raw sketch to `out[at…]`. */
  apply(x: readonly number[], out: Float32Array, at: number, clamp: number): void {
    for (let i = 0; i < D; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) {
        const v = x[j] as number;
        s += (this.forward[i * D + j] as number) * (v > clamp ? clamp : v < -clamp ? -clamp : v);
      }
      out[at + i] = s;
    }
  }

  /**
   * Re-estimates from the covariance of normal inputs as currently stored (whitened by the current
   * transform). Returns the matrix that takes currently stored sketches to the new space, or
   * undefined when the change is negligible.
   */
  update(storedCovariance: Float64Array): Float64Array | undefined {
    // Back to raw units, so the noise floor keeps its meaning across re-estimates.
    const raw = multiply(multiply(this.inverse, storedCovariance), this.inverse);
    const { values, vectors } = symmetricEigen(raw, D);
    const forward = new Float64Array(D * D);
    const inverse = new Float64Array(D * D);
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < D; j++) {
        let f = 0;
        let b = 0;
        for (let k = 0; k < D; k++) {
          const lambda = Math.max(values[k] as number, NOISE_VARIANCE);
          const vik = vectors[i * D + k] as number;
          const vjk = vectors[j * D + k] as number;
          f += (vik * vjk) / Math.sqrt(lambda);
          b += vik * vjk * Math.sqrt(lambda);
        }
        forward[i * D + j] = f;
        inverse[i * D + j] = b;
      }
    }
    const change = multiply(forward, this.inverse);
    const wasReady = this.ready;
    if (wasReady && maxDistanceFromIdentity(change) < NEGLIGIBLE_CHANGE) return undefined;
    this.forward = forward;
    this.inverse = inverse;
    this.ready = true;
    return change;
  }
}

/** Covariance of `count` rows of `points` whose index passes `use` (row-major D×D). */
export function covariance(points: Float32Array, rows: number, use: (row: number) => boolean): Float64Array {
  const mean = new Float64Array(D);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    if (!use(r)) continue;
    n++;
    for (let j = 0; j < D; j++) mean[j] = (mean[j] as number) + (points[r * D + j] as number);
  }
  const c = new Float64Array(D * D);
  if (n < 2) return c;
  for (let j = 0; j < D; j++) mean[j] = (mean[j] as number) / n;
  for (let r = 0; r < rows; r++) {
    if (!use(r)) continue;
    for (let i = 0; i < D; i++) {
      const di = (points[r * D + i] as number) - (mean[i] as number);
      for (let j = i; j < D; j++) c[i * D + j] = (c[i * D + j] as number) + di * ((points[r * D + j] as number) - (mean[j] as number));
    }
  }
  for (let i = 0; i < D; i++) {
    for (let j = i; j < D; j++) {
      const v = (c[i * D + j] as number) / (n - 1);
      c[i * D + j] = v;
      c[j * D + i] = v;
    }
  }
  return c;
}

function identity(): Float64Array {
  const m = new Float64Array(D * D);
  for (let i = 0; i < D; i++) m[i * D + i] = 1;
  return m;
}

function multiply(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let k = 0; k < D; k++) {
      const aik = a[i * D + k] as number;
      if (aik === 0) continue;
      for (let j = 0; j < D; j++) out[i * D + j] = (out[i * D + j] as number) + aik * (b[k * D + j] as number);
    }
  }
  return out;
}

function maxDistanceFromIdentity(m: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) worst = Math.max(worst, Math.abs((m[i * D + j] as number) - (i === j ? 1 : 0)));
  return worst;
}
