import assert from "node:assert/strict";
import { test } from "node:test";
import { FeatureBaseline } from "./baseline.js";
import { FEATURE_COUNT, FEATURE_SPECS } from "./features.js";
import { Prng } from "./prng.js";
import { normalQuantile, quantileInPlace } from "./robust-stats.js";

test("normal quantiles and interpolated sample quantiles", () => {
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.9) - 1.2815516) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-6, "lower tail");
  assert.ok(Math.abs(normalQuantile(0.999) - 3.090232) < 1e-6, "upper tail");
  assert.throws(() => normalQuantile(1));
  assert.equal(quantileInPlace([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantileInPlace(Float64Array.of(10, 0), 0.9), 9);
  assert.ok(Number.isNaN(quantileInPlace([], 0.5)));
});

/** One vector per client: every feature drawn from N(center, sd). */
function population(rng: Prng, n: number, center: number, sd: number): Float64Array[] {
  return Array.from({ length: n }, () => Float64Array.from({ length: FEATURE_COUNT }, () => center + sd * rng.normal()));
}

test("a minority of attackers barely moves the baseline, while mean and standard deviation are dragged along", () => {
  const rng = new Prng(7);
  const benign = population(rng, 285, 1, 1);
  const attackers = population(rng, 15, 12, 0.5); // 5 % of clients, far out, not yet found out
  const clean = new FeatureBaseline(0.9, 1);
  clean.update(benign, 10);
  const contaminated = new FeatureBaseline(0.9, 1);
  contaminated.update([...benign, ...attackers], 10);

  for (let f = 0; f < FEATURE_COUNT; f++) {
    const shift = Math.abs((contaminated.center[f] as number) - (clean.center[f] as number));
    assert.ok(shift < 0.15, `feature ${f}: center moved by ${shift}`);
    const widening = (contaminated.scale[f] as number) / (clean.scale[f] as number);
    // In expectation ×1.26: the 90th percentile of the mix is the benign 94.7th.
    assert.ok(widening < 1.5, `feature ${f}: scale grew ×${widening}`);
    assert.ok(contaminated.z(f, 12) > 6, "an attacker stays far out");
  }
  // What a mean/sd baseline would have done with the same data.
  const all = [...benign, ...attackers].map((v) => v[0] as number);
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
  assert.ok((12 - mean) / sd < 5, `for contrast: the non-robust z of the same attacker is ${(12 - mean) / sd}`);
});

test("the center survives even a large minority; the scale's breakdown point is 1 - quantile", () => {
  const rng = new Prng(9);
  const benign = population(rng, 210, 1, 1);
  const b = new FeatureBaseline(0.9, 1);
  b.update([...benign, ...population(rng, 90, 12, 0.5)], 10); // 30 % attackers
  assert.ok(Math.abs((b.center[0] as number) - 1) < 0.6, `center ${b.center[0]}`);
  assert.ok(b.z(0, 12) > 1, "still above normal, though the scale is inflated: why suspects leave the baseline");
});

test("the scale follows a heavy benign tail but never drops below the feature's floor", () => {
  const rng = new Prng(8);
  const b = new FeatureBaseline(0.9, 1);
  // 80 % of clients show nothing, 20 % show a lot (what-if users): the 90th percentile sees them.
  const vectors = Array.from({ length: 200 }, (_, i) => new Float64Array(FEATURE_COUNT).fill(i < 160 ? 0 : 1 + rng.next()));
  b.update(vectors, 10);
  assert.equal(b.center[0], 0);
  assert.ok((b.scale[0] as number) > 0.8, "the tail widens the scale");
  const flat = new FeatureBaseline(0.9, 1);
  flat.update(Array.from({ length: 50 }, () => new Float64Array(FEATURE_COUNT)), 10);
  FEATURE_SPECS.forEach((spec, f) => assert.equal(flat.scale[f], spec.minScale));
});

test("new estimates are blended in; too few clients or NaN values leave a feature alone", () => {
  const b = new FeatureBaseline(0.9, 0.25);
  b.update(Array.from({ length: 5 }, () => new Float64Array(FEATURE_COUNT)), 10);
  assert.equal(b.ready, false, "5 clients are not a baseline");
  b.update(Array.from({ length: 20 }, () => new Float64Array(FEATURE_COUNT).fill(0)), 10);
  assert.equal(b.center[0], 0);
  b.update(Array.from({ length: 20 }, () => new Float64Array(FEATURE_COUNT).fill(4)), 10);
  assert.equal(b.center[0], 1, "a quarter of the way to the new median");
  const withNaN = Array.from({ length: 20 }, () => new Float64Array(FEATURE_COUNT).fill(NaN));
  b.update(withNaN, 10);
  assert.equal(b.center[0], 1);
  assert.equal(b.z(0, NaN), 0);
});
