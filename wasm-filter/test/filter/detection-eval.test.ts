// The extraction evaluation at test size through the real compiled filter (one Node proxy-wasm
// host per pod, reports sent from the VMs' ticks): the targets hold, and the detector reaches the
// same verdicts as with the TypeScript reference pipeline, so the filter's records and sketches
// are what the detector was designed on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EVAL_TARGETS, QUICK_EVAL, simulationSetup } from "../../../operator/src/detector/sim/eval-options.js";
import { ReferencePipeline } from "../../../operator/src/detector/sim/reference-pipeline.js";
import { runEval } from "../../../operator/src/detector/sim/run-eval.js";
import { createWasmPipeline } from "../../host/report-pipeline.js";
import { ensureModule } from "./harness.js";

test("through the real filter: every attacker type detected within 500 queries, ≤ 1 % benign flagged, same verdicts as the reference", async () => {
  await ensureModule();
  const wasm = createWasmPipeline(simulationSetup(QUICK_EVAL).setup);
  const result = runEval(QUICK_EVAL, wasm);
  assert.deepEqual(result.misses, []);
  assert.equal(result.targetsMet, true);
  for (const t of result.attackTypes) {
    assert.equal(t.detectionRate, 1, `${t.type}: ${t.detected}/${t.instances}`);
    assert.ok(t.maxQueries <= EVAL_TARGETS.maxQueriesToDetection, `${t.type}: ${t.maxQueries} queries`);
  }
  assert.ok(result.benign.falsePositiveRate <= EVAL_TARGETS.maxFalsePositiveRate);
  assert.equal(result.detector.recordsProcessed, result.records, "every request reached the detector");

  const reference = runEval(QUICK_EVAL, new ReferencePipeline(simulationSetup(QUICK_EVAL).setup));
  assert.deepEqual(result.attackTypes, reference.attackTypes);
  assert.deepEqual(result.benign.personas, reference.benign.personas);
});
