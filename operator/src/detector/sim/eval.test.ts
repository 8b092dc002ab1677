// The extraction evaluation at test size (about 1¾ virtual hours, 100 benign clients, three
// attackers per type), through the reference pipeline, with every report checked against the
// schema the operator enforces.
import assert from "node:assert/strict";
import { test } from "node:test";
import { reportSchema } from "../report.js";
import { EVAL_TARGETS, QUICK_EVAL, simulationSetup } from "./eval-options.js";
import type { Pipeline } from "./pipeline.js";
import { ReferencePipeline } from "./reference-pipeline.js";
import { runEval } from "./run-eval.js";

test("every attacker type is detected within 500 queries and at most 1 % of benign clients are flagged", () => {
  const reference = new ReferencePipeline(simulationSetup(QUICK_EVAL).setup);
  let reports = 0;
  const checked: Pipeline = {
    handle: (...args) => reference.handle(...args),
    flush: (pod, nowMs) => {
      const out = reference.flush(pod, nowMs);
      for (const r of out) reportSchema.parse(r);
      reports += out.length;
      return out;
    },
  };
  const result = runEval(QUICK_EVAL, checked);

  assert.deepEqual(result.misses, []);
  assert.equal(result.targetsMet, true);
  for (const t of result.attackTypes) {
    assert.equal(t.instances, QUICK_EVAL.attackersPerType, t.type);
    assert.equal(t.detectionRate, 1, `${t.type}: ${t.detected}/${t.instances}`);
    assert.ok(t.maxQueries <= EVAL_TARGETS.maxQueriesToDetection, `${t.type}: ${t.maxQueries} queries`);
  }
  assert.ok(result.benign.falsePositiveRate <= EVAL_TARGETS.maxFalsePositiveRate);
  assert.ok(result.benign.clients >= 50);
  for (const persona of ["batch", "canary"] as const) {
    const p = result.benign.personas.find((x) => x.persona === persona);
    assert.equal(p?.flagged, 0, `${persona}: a high rate or exact repeats alone never flag`);
  }
  assert.equal(result.reports, reports);
  assert.equal(result.detector.recordsProcessed, result.records, "every request reached the detector");
});
