import assert from "node:assert/strict";
import { test } from "node:test";
import { ClientWindow, EXACT_REPEAT, type Placement } from "./client-window.js";
import { clientFeatures, concentration, FEATURE_SPECS, requestsPerMinute } from "./features.js";
import { DEFAULT_DETECTOR_OPTIONS } from "./options.js";
import { Prng } from "./prng.js";
import { SKETCH_DIM } from "./sketch.js";

const SETTINGS = DEFAULT_DETECTOR_OPTIONS;
const f = (name: (typeof FEATURE_SPECS)[number]["name"]) => FEATURE_SPECS.findIndex((s) => s.name === name);
const ON = { offManifold: 0, revisitRadius: 0.5, spacing: 1 } satisfies Placement;

function add(w: ClientWindow, t: number, v: number[] | undefined, placement: Placement = ON, failed = false): void {
  const input = v === undefined ? undefined : Float32Array.from(v);
  w.add(t, failed, false, input, 0, () => placement);
}

function point(rng: Prng, scale = 3): number[] {
  return Array.from({ length: SKETCH_DIM }, () => scale * rng.normal());
}

function along(base: number[], dir: number[], t: number): number[] {
  return base.map((b, i) => b + t * (dir[i] as number));
}

test("three or more steps along one line are a sweep; a field edited twice, or random records, are not", () => {
  const rng = new Prng(1);
  const line = new ClientWindow(64);
  const base = point(rng);
  const dir = point(rng, 0.1);
  for (let k = 0; k < 40; k++) add(line, k * 1000, along(base, dir, k));
  const sweep = clientFeatures(line, SETTINGS).raw[f("sweep")] as number;
  // 39 steps, 38 turns; a step counts from the third step of a line on.
  assert.equal(sweep, 37 / 38);

  const edits = new ClientWindow(64);
  for (let r = 0; r < 15; r++) {
    const record = point(rng);
    const field = point(rng, 0.2);
    for (let e = 0; e < 3; e++) add(edits, (r * 3 + e) * 1000, along(record, field, e));
  }
  assert.equal(clientFeatures(edits, SETTINGS).raw[f("sweep")], 0, "record, edit, edit: two steps along a line");

  const random = new ClientWindow(64);
  for (let k = 0; k < 40; k++) add(random, k * 1000, point(rng));
  assert.equal(clientFeatures(random, SETTINGS).raw[f("sweep")], 0);
});

test("revisits count earlier inputs within the radius, and identical inputs are repeats, not revisits", () => {
  const rng = new Prng(2);
  const w = new ClientWindow(16);
  const p = point(rng);
  const near = (d: number) => p.map((v, i) => (i === 0 ? v + d : v));
  add(w, 0, p);
  add(w, 1, near(0.1));
  add(w, 2, near(0.2));
  add(w, 3, p);
  add(w, 4, point(rng));
  const order = [4, 3, 2, 1, 0].map((i) => w.slot(i));
  assert.deepEqual(
    order.map((s) => w.revisits[s]),
    [0, 1, 2, 2, 0],
  );
  assert.equal((w.flags[order[3] as number] as number) & EXACT_REPEAT, EXACT_REPEAT);
  const features = clientFeatures(w, SETTINGS);
  assert.equal(features.exactRepeats, 1);
  assert.equal(features.raw[f("revisits")], 3 / 4, "mean over the four inputs that are not repeats");
});

test("once the ring is full a new input is never compared with the slot it overwrites", () => {
  const rng = new Prng(3);
  const w = new ClientWindow(8);
  for (let k = 0; k < 30; k++) add(w, k, point(rng));
  for (let i = 0; i < w.size; i++) {
    const s = w.slot(i);
    assert.equal((w.flags[s] as number) & EXACT_REPEAT, 0);
    assert.ok((w.spacingRatio[s] as number) > 0.5, "distinct random inputs are far apart");
  }
});

test("shares count only judged inputs and are shrunk towards normal while a client has few queries", () => {
  const rng = new Prng(4);
  const w = new ClientWindow(32);
  for (let k = 0; k < 10; k++) add(w, k, point(rng), { offManifold: NaN, revisitRadius: NaN, spacing: NaN });
  for (let k = 0; k < 10; k++) add(w, 10 + k, point(rng), { ...ON, offManifold: k < 5 ? 1 : 0 });
  assert.equal(clientFeatures(w, SETTINGS).raw[f("offManifold")], 0.5);

  assert.ok(concentration(5, 5, 0.01, 8) < concentration(50, 50, 0.01, 8), "same share, more queries, more evidence");
  assert.ok(concentration(0, 100, 0.01, 8) < 0.01);
  assert.ok(Math.abs(concentration(0, 0, 0.02, 8) - -Math.log(0.98)) < 1e-12, "no queries: the prior");
  assert.ok(concentration(95, 100, 0.02, 8) > 2.5 * concentration(60, 100, 0.02, 8), "95 % is far from 60 %, unlike the raw shares");
});

test("failures, requests without a body and the request rate are measured over the window", () => {
  const w = new ClientWindow(16);
  for (let k = 0; k < 11; k++) add(w, k * 6_000, k % 2 ? undefined : [k, ...new Array<number>(SKETCH_DIM - 1).fill(0)], ON, k % 5 === 0);
  const features = clientFeatures(w, SETTINGS);
  assert.equal(features.inputs, 6);
  assert.equal(features.raw[f("failures")], 3 / 11);
  assert.equal(requestsPerMinute(w), 10);
  assert.equal(features.raw[f("rate")], 10);
});

test("re-projecting a window keeps lines and distances consistent with inputs that arrive afterwards", () => {
  const rng = new Prng(5);
  const w = new ClientWindow(64);
  const base = point(rng);
  const dir = point(rng, 0.1);
  for (let k = 0; k < 10; k++) add(w, k, along(base, dir, k));
  const m = new Float64Array(SKETCH_DIM * SKETCH_DIM);
  for (let i = 0; i < SKETCH_DIM; i++) m[i * SKETCH_DIM + i] = i % 2 ? 2 : 0.5;
  w.transform(m);
  const scaled = (v: number[]) => v.map((x, i) => x * (i % 2 ? 2 : 0.5));
  for (let k = 10; k < 20; k++) add(w, k, scaled(along(base, dir, k)));
  assert.equal(clientFeatures(w, SETTINGS).raw[f("sweep")], 17 / 18, "the line continues across the re-projection");
  add(w, 20, scaled(along(base, dir, 19)));
  assert.equal((w.flags[w.slot(0)] as number) & EXACT_REPEAT, EXACT_REPEAT, "the same input is still recognized");
});
