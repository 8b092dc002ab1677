import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_REPORT_CLIENTS, MAX_REPORT_RECORDS, reportSchema } from "../report.js";
import { sketchOf } from "../sketch.js";
import type { PipelineSetup } from "./pipeline.js";
import { ReferencePipeline } from "./reference-pipeline.js";

const SETUP: PipelineSetup = {
  policy: "ml/tabular",
  model: "credit-risk",
  pods: 2,
  requestsPerMinute: { free: 2 },
  upstream: (body) => (body.includes("-1") ? 400 : 200),
};

test("each pod reports its own records, grouped by client in arrival order, once per flush", () => {
  const p = new ReferencePipeline(SETUP);
  p.handle(0, "alice", "pro", '{"instances": [[1, 2]]}', 1_000);
  p.handle(1, "bob", "pro", '{"instances": [[3, 4]]}', 1_100);
  p.handle(0, "bob", "pro", "not json", 1_200);
  p.handle(0, "alice", "pro", '{"instances": [[-1, 2]]}', 1_300);
  const [report, ...more] = p.flush(0, 2_000);
  assert.equal(more.length, 0);
  assert.deepEqual(reportSchema.parse(report), report);
  assert.equal(report?.source, "pod-0");
  assert.equal(report?.windowStartMs, 1_000);
  assert.equal(report?.windowEndMs, 2_000);
  assert.deepEqual(
    report?.clients.map((c) => [c.client, c.records.map((r) => [r.t, r.status, r.reason, r.x !== undefined])]),
    [
      [
        "alice",
        [
          [1_000, 200, "", true],
          [1_300, 400, "", true],
        ],
      ],
      ["bob", [[1_200, 400, "json_malformed", false]]],
    ],
  );
  assert.deepEqual(report?.clients[0]?.records[0]?.x, sketchOf('{"instances": [[1, 2]]}'));
  assert.deepEqual(p.flush(0, 4_000), [], "nothing new, nothing sent");
  assert.equal(p.flush(1, 4_000)[0]?.clients[0]?.client, "bob");
  p.handle(0, "alice", "pro", "[1]", 4_500);
  assert.equal(p.flush(0, 6_000)[0]?.windowStartMs, 4_000, "the next window starts at the previous flush");
});

test("a tier's quota denies with 429 and still reports the sketch", () => {
  const p = new ReferencePipeline(SETUP);
  for (let i = 0; i < 3; i++) p.handle(0, "carol", "free", "[1]", 10_000 + i);
  p.handle(0, "carol", "free", "[1]", 70_000); // a minute later: refilled
  const records = p.flush(0, 80_000)[0]?.clients[0]?.records ?? [];
  assert.deepEqual(
    records.map((r) => [r.status, r.reason, r.x !== undefined]),
    [
      [200, "", true],
      [200, "", true],
      [429, "quota_exceeded", true],
      [200, "", true],
    ],
  );
});

test("a full buffer drops records and says how many", () => {
  const p = new ReferencePipeline(SETUP);
  for (let i = 0; i < MAX_REPORT_RECORDS + 5; i++) p.handle(0, `c${i % 10}`, "pro", "[1]", i);
  const report = p.flush(0, 10_000)[0];
  assert.equal(report?.dropped, 5);
  assert.equal(reportSchema.safeParse(report).success, true);

  const many = new ReferencePipeline(SETUP);
  for (let i = 0; i < MAX_REPORT_CLIENTS + 3; i++) many.handle(0, `client-${i}`, "pro", "[1]", i);
  const wide = many.flush(0, 10_000)[0];
  assert.equal(wide?.clients.length, MAX_REPORT_CLIENTS);
  assert.equal(wide?.dropped, 3);
  assert.equal(reportSchema.safeParse(wide).success, true);
  assert.equal(many.flush(0, 12_000).length, 0, "the count starts over");
});
