/** Small helpers over sketches stored back to back in Float32Arrays (SKETCH_DIM numbers each). */
import { SKETCH_DIM } from "./sketch.js";

/** Raw sketch coordinates are clamped to this magnitude so squared distances stay finite. */
export const MAX_COORDINATE = 1e12;

/** Squared distance between the row at `a[ai…]` and the row at `b[bi…]`. */
export function squaredDistance(a: Float32Array, ai: number, b: Float32Array, bi: number): number {
  let s = 0;
  for (let j = 0; j < SKETCH_DIM; j++) {
    const d = (a[ai + j] as number) - (b[bi + j] as number);
    s += d * d;
  }
  return s;
}

/**
 * Squared distance, or any value above `limit` as soon as the partial sum passes it: most rows in
 * a nearest-neighbour search are far away, and half the coordinates usually tell.
 */
export function squaredDistanceUpTo(a: Float32Array, ai: number, b: Float32Array, bi: number, limit: number): number {
  let s = 0;
  for (let j = 0; j < SKETCH_DIM; j++) {
    const d = (a[ai + j] as number) - (b[bi + j] as number);
    s += d * d;
    if (s > limit) return s;
  }
  return s;
}

/** Applies the SKETCH_DIM×SKETCH_DIM matrix `m` to `rows` consecutive sketches of `data` from row `from`, in place. */
export function transformRows(m: Float64Array, data: Float32Array, from: number, rows: number): void {
  const tmp = new Float64Array(SKETCH_DIM);
  for (let r = from; r < from + rows; r++) {
    const base = r * SKETCH_DIM;
    for (let i = 0; i < SKETCH_DIM; i++) {
      let s = 0;
      for (let j = 0; j < SKETCH_DIM; j++) s += (m[i * SKETCH_DIM + j] as number) * (data[base + j] as number);
      tmp[i] = s;
    }
    for (let i = 0; i < SKETCH_DIM; i++) data[base + i] = tmp[i] as number;
  }
}
