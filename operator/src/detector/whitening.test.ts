import assert from "node:assert/strict";
import { test } from "node:test";
import { SAME_INPUT } from "./client-window.js";
import { symmetricEigen } from "./eigen.js";
import { Prng } from "./prng.js";
import { SKETCH_DIM, sketchOf } from "./sketch.js";
import { transformRows } from "./vectors.js";
import { covariance, NOISE_VARIANCE, Whitening } from "./whitening.js";

const D = SKETCH_DIM;

test("the eigen-decomposition reconstructs a symmetric matrix with orthonormal vectors", () => {
  const rng = new Prng(1);
  const a = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = i; j < D; j++) a[i * D + j] = a[j * D + i] = rng.normal();
  const { values, vectors } = symmetricEigen(a, D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      let back = 0;
      let dot = 0;
      for (let k = 0; k < D; k++) {
        back += (vectors[i * D + k] as number) * (values[k] as number) * (vectors[j * D + k] as number);
        dot += (vectors[k * D + i] as number) * (vectors[k * D + j] as number);
      }
      assert.ok(Math.abs(back - (a[i * D + j] as number)) < 1e-9, `A[${i}][${j}]`);
      assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-9, `VᵀV[${i}][${j}]`);
    }
  }
});

/** Sketches of 12-feature records whose units differ by four orders of magnitude. */
function records(rng: Prng, n: number): { raw: number[][]; units: number[] } {
  const units = [5000, 1, 0.5, 20, 3, 0.8, 100, 2, 7, 0.3, 40, 1.5];
  return { units, raw: Array.from({ length: n }, () => sketchOf(JSON.stringify(units.map((u) => u * rng.normal()))) as number[]) };
}

function whiten(w: Whitening, raw: number[][]): Float32Array {
  const out = new Float32Array(raw.length * D);
  raw.forEach((x, r) => w.apply(x, out, r * D, 1e12));
  return out;
}

test("after whitening, normal inputs spread alike in every direction the data uses, and no direction of rounding noise is blown up", () => {
  const rng = new Prng(2);
  const { raw } = records(rng, 2000);
  const w = new Whitening();
  assert.notEqual(w.update(covariance(whiten(w, raw), raw.length, () => true)), undefined);
  const { values } = symmetricEigen(covariance(whiten(w, raw), raw.length, () => true), D);
  const sorted = [...values].sort((a, b) => b - a);
  for (const v of sorted.slice(0, 12)) assert.ok(v > 0.9 && v < 1.1, `data direction variance ${v}`);
  // Rounding to 0.001 has variance 1/12e6 per coordinate; it may grow by at most 1/NOISE_VARIANCE.
  for (const v of sorted.slice(12)) assert.ok(v < (1 / 12e6 / NOISE_VARIANCE) * 4, `null direction variance ${v}`);
});

test("a deviation of one standard deviation weighs the same whatever the feature's unit", () => {
  const rng = new Prng(3);
  const { raw, units } = records(rng, 2000);
  const w = new Whitening();
  w.update(covariance(whiten(w, raw), raw.length, () => true));
  const distanceFor = (feature: number) => {
    const base = units.map(() => 0);
    const moved = base.map((v, i) => (i === feature ? (units[i] as number) : v));
    const pair = whiten(w, [sketchOf(JSON.stringify(base)) as number[], sketchOf(JSON.stringify(moved)) as number[]]);
    let d = 0;
    for (let j = 0; j < D; j++) d += ((pair[j] as number) - (pair[D + j] as number)) ** 2;
    return Math.sqrt(d);
  };
  const large = distanceFor(0); // 5000 units
  const small = distanceFor(9); // 0.3 units
  assert.ok(Math.abs(large - small) / large < 0.25, `${large} vs ${small}`);
});

test("re-estimating on already whitened data changes nothing worth re-projecting", () => {
  const rng = new Prng(4);
  const { raw } = records(rng, 3000);
  const w = new Whitening();
  const first = whiten(w, raw);
  const change = w.update(covariance(first, raw.length, () => true)) as Float64Array;
  transformRows(change, first, 0, raw.length);
  assert.equal(w.update(covariance(first, raw.length, () => true)), undefined);
  const again = whiten(w, raw);
  let worst = 0;
  for (let i = 0; i < again.length; i++) worst = Math.max(worst, Math.abs((again[i] as number) - (first[i] as number)));
  assert.ok(worst < SAME_INPUT, `re-projected and freshly whitened differ by ${worst}: an exact repeat must stay recognizable`);
});
