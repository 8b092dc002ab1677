import assert from "node:assert/strict";
import { test } from "node:test";
import type { Translation } from "../translate/translate.js";
import type { ApiObject } from "./objects.js";
import { buildStatus, statusText } from "./status.js";

const policy: ApiObject = { metadata: { name: "p", namespace: "ns", generation: 3 } };
const t0 = new Date("2026-01-01T00:00:00Z");
const t1 = new Date("2026-01-01T00:05:00Z");
const accepted: Translation = { accepted: true, diagnostics: [], targets: ["a", "b"], objects: [] };
const rejected: Translation = {
  accepted: false,
  diagnostics: [
    { severity: "error", reason: "SecretNotFound", field: "spec.revocation.secretRef.name", message: 'Secret "gone" not found in namespace' },
  ],
  targets: [],
  objects: [],
};

test("accepted and programmed, with observedGeneration and targets", () => {
  const s = buildStatus(policy, accepted, { applied: 5, unchanged: 5, pruned: 0, failures: [] }, t0);
  assert.equal(s.observedGeneration, 3);
  assert.deepEqual(s.targets, ["a", "b"]);
  assert.equal(s.targetCount, 2);
  assert.deepEqual(
    s.conditions?.map((c) => [c.type, c.status, c.reason, c.observedGeneration, c.lastTransitionTime]),
    [
      ["Accepted", "True", "Accepted", 3, "2026-01-01T00:00:00Z"],
      ["Programmed", "True", "Programmed", 3, "2026-01-01T00:00:00Z"],
    ],
  );
});

test("rejected: reason from the diagnostic, message names the field, Programmed False", () => {
  const s = buildStatus(policy, rejected, undefined, t0);
  const [acc, prog] = s.conditions ?? [];
  assert.equal(acc?.status, "False");
  assert.equal(acc?.reason, "SecretNotFound");
  assert.match(acc?.message ?? "", /spec\.revocation\.secretRef\.name: Secret "gone" not found/);
  assert.equal(prog?.status, "False");
  assert.equal(prog?.reason, "NotAccepted");
});

test("apply failures make Programmed False with the refusals", () => {
  const s = buildStatus(policy, accepted, { applied: 0, unchanged: 0, pruned: 0, failures: ["WasmPlugin/x: 422 invalid"] }, t0);
  assert.equal(s.conditions?.[1]?.reason, "ApplyFailed");
  assert.match(s.conditions?.[1]?.message ?? "", /WasmPlugin\/x: 422 invalid/);
});

test("lastTransitionTime moves only when a condition's status changes, so an unchanged status is identical", () => {
  const outcome = { applied: 0, unchanged: 10, pruned: 0, failures: [] };
  const first = buildStatus(policy, accepted, outcome, t0);
  const again = buildStatus({ ...policy, status: first }, accepted, outcome, t1);
  assert.equal(statusText(again), statusText(first));
  const flipped = buildStatus({ ...policy, status: first }, rejected, undefined, t1);
  assert.equal(flipped.conditions?.[0]?.lastTransitionTime, "2026-01-01T00:05:00Z");
});
