import assert from "node:assert/strict";
import { test } from "node:test";
import { PolicyIntake } from "./intake.js";
import type { Report } from "./report.js";

function report(source: string, start: number, end: number, times: number[], client = "c"): Report {
  return { version: 1, policy: "ns/p", source, windowStartMs: start, windowEndMs: end, dropped: 0, clients: [{ client, tier: "", records: times.map((t) => ({ t, model: "m", status: 200, reason: "" })) }] };
}

const LATENESS = 10_000;
const TIMEOUT = 30_000;

test("records from several pods come out in time order once every live pod has reported past them", () => {
  const intake = new PolicyIntake();
  intake.add(report("pod-b", 0, 2_000, [100, 1_500]), 2_000);
  intake.add(report("pod-a", 0, 2_000, [50, 900, 1_999]), 2_000);
  assert.deepEqual(
    intake.release(2_000, LATENESS, TIMEOUT).map((p) => [p.t, p.source]),
    [
      [50, "pod-a"],
      [100, "pod-b"],
      [900, "pod-a"],
      [1_500, "pod-b"],
      [1_999, "pod-a"],
    ],
  );
  // pod-b has not reported its next window yet: pod-a's later records wait for it.
  intake.add(report("pod-a", 2_000, 4_000, [2_500]), 4_000);
  assert.deepEqual(intake.release(4_000, LATENESS, TIMEOUT), []);
  intake.add(report("pod-b", 2_000, 4_000, [2_400]), 4_100);
  assert.deepEqual(
    intake.release(4_100, LATENESS, TIMEOUT).map((p) => p.t),
    [2_400, 2_500],
  );
});

test("a silent pod holds records back at most for the lateness bound, and not at all once it timed out", () => {
  const intake = new PolicyIntake();
  intake.add(report("pod-a", 0, 2_000, [1_000]), 2_000);
  intake.add(report("pod-b", 0, 2_000, [1_000]), 2_000);
  intake.release(2_000, LATENESS, TIMEOUT);
  intake.add(report("pod-a", 2_000, 4_000, [3_000]), 4_000);
  assert.equal(intake.release(4_000, LATENESS, TIMEOUT).length, 0);
  assert.equal(intake.release(13_001, LATENESS, TIMEOUT).length, 1, "older than the lateness bound");
  intake.add(report("pod-a", 30_000, 32_000, [31_000]), 32_000);
  assert.equal(intake.release(32_001, LATENESS, TIMEOUT).length, 1, "pod-b timed out: it no longer holds anything back");
});

test("a record behind what was already released is late, and still comes out", () => {
  const intake = new PolicyIntake();
  intake.add(report("pod-a", 0, 2_000, [1_000]), 2_000);
  intake.release(2_000, LATENESS, TIMEOUT);
  assert.equal(intake.add(report("pod-b", 0, 2_000, [1_500, 1_999]), 2_500), 2);
  assert.equal(intake.release(2_500, LATENESS, TIMEOUT).length, 2);
});

test("a report delivered twice is taken once; two reports for one window are both taken", () => {
  const intake = new PolicyIntake();
  const r = report("pod-a", 0, 2_000, [10, 20]);
  assert.equal(intake.add(r, 2_000), 0);
  assert.equal(intake.add(structuredClone(r), 2_000), -1);
  assert.equal(intake.add(report("pod-a", 0, 2_000, [30], "d"), 2_000), 0, "same window, other records");
  assert.equal(intake.pendingCount, 3);
});

test("when too much is waiting, the oldest records are released first", () => {
  const intake = new PolicyIntake();
  intake.add(report("pod-a", 0, 2_000, [500, 100, 300]), 2_000);
  assert.deepEqual(
    intake.releaseOldest(2).map((p) => p.t),
    [100, 300],
  );
  assert.equal(intake.pendingCount, 1);
});
