import assert from "node:assert/strict";
import { test } from "node:test";
import { Evidence, type Level } from "./evidence.js";

const T = { allowance: 5, alert: 64, throttle: 256, block: 1024 };

test("a score at or below the allowance never accumulates, however many queries", () => {
  const e = new Evidence(T);
  for (let i = 0; i < 10_000; i++) assert.equal(e.observe(5, 10, 3), undefined);
  assert.equal(e.value, 0);
  assert.equal(e.suspect, false);
});

test("evidence grows with queries, and each level is reported once, in order", () => {
  const e = new Evidence(T);
  const reported: Level[] = [];
  for (let i = 0; i < 200; i++) {
    const rose = e.observe(9, 4, 3); // +16 per observation
    if (rose !== undefined) reported.push(rose);
  }
  assert.deepEqual(reported, [1, 2, 3]);
  assert.equal(e.observe(9, 4, 3), undefined, "staying at block reports nothing more");
});

test("severity falls only below half its threshold, and a later rise is reported again", () => {
  const e = new Evidence(T);
  e.observe(5 + 300 / 10, 10, 3); // evidence 300: throttle
  assert.equal(e.level, 2);
  e.observe(4, 100, 3); // -100 → 200: still throttle (hysteresis)
  assert.equal(e.level, 2);
  e.observe(4, 80, 3); // → 120: below 128, back to alert
  assert.equal(e.level, 1);
  assert.equal(e.observe(5 + 200 / 10, 10, 3), 2, "rising to throttle again is reported");
});

test("a cap holds the reported level at alert until it lifts", () => {
  const e = new Evidence(T);
  assert.equal(e.observe(5 + 2000 / 10, 10, 1), 1);
  assert.equal(e.level, 3);
  assert.equal(e.observe(6, 1, 1), undefined);
  assert.equal(e.observe(6, 1, 3), 3, "the cap lifted: block is reported");
});
