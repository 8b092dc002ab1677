import assert from "node:assert/strict";
import { test } from "node:test";
import { Prng } from "./prng.js";
import { ReferenceSample } from "./reference-sample.js";
import { SKETCH_DIM } from "./sketch.js";

function sample(size = 64, slots = 4): ReferenceSample {
  return new ReferenceSample(size, 16 * size, slots, 3, 0.99, new Prng(1));
}

function gaussian(rng: Prng, center = 0): Float32Array {
  return Float32Array.from({ length: SKETCH_DIM }, () => center + rng.normal());
}

test("no client holds more than its slots, and a purge gives them back", () => {
  const r = sample(64, 4);
  const rng = new Prng(2);
  for (let i = 0; i < 20; i++) r.offer(gaussian(rng), 0, 7);
  assert.equal(r.count, 4);
  r.purge(7);
  assert.equal(r.count, 0);
  assert.equal(r.ownerCount, 0);
});

test("distances never count the asking client's own inputs", () => {
  const r = sample(64, 4);
  const rng = new Prng(3);
  for (let owner = 0; owner < 10; owner++) for (let i = 0; i < 4; i++) r.offer(gaussian(rng, 50), 0, owner);
  const mine = gaussian(rng);
  r.offer(mine, 0, 99);
  assert.ok(r.neighbours(mine, 0, 99).nearest > 20, "its own copy is ignored");
  assert.equal(r.neighbours(mine, 0, 5).nearest, 0, "another client sees it");
});

test("once full, the sample keeps turning over slowly, and the off-manifold limit ignores a few far inputs", () => {
  const r = sample(128, 4);
  const rng = new Prng(4);
  for (let owner = 0; owner < 32; owner++) for (let i = 0; i < 4; i++) r.offer(gaussian(rng), 0, owner);
  const clean = r.scale(64, 8);
  assert.ok(clean !== undefined);
  const before = r.turnover;
  for (let owner = 100; owner < 400; owner++) r.offer(gaussian(rng), 0, owner);
  const turned = r.turnover - before;
  assert.ok(turned > 5 && turned < 50, `${turned} of 300 offers were kept (expected about 300·128/2048 ≈ 19)`);

  // Four clients' worth of far-away inputs (3 % of the sample) do not move the limit much.
  const polluted = sample(128, 4);
  for (let owner = 0; owner < 28; owner++) for (let i = 0; i < 4; i++) polluted.offer(gaussian(rng), 0, owner);
  for (let owner = 28; owner < 32; owner++) for (let i = 0; i < 4; i++) polluted.offer(gaussian(rng, 40), 0, owner);
  const limit = polluted.scale(64, 8)?.offManifold as number;
  assert.ok(limit < 1.5 * clean.offManifold, `limit ${limit} vs clean ${clean.offManifold}`);
  assert.ok(polluted.neighbours(gaussian(rng, 6), 0, -1).kth > limit, "a point 6σ out in every coordinate is off-manifold");
});
