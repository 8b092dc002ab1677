import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../translate/metadata.js";
import type { ApiObject } from "./objects.js";
import { contains, DESIRED_HASH_ANNOTATION, desiredHash, upToDate, withDesiredHash } from "./desired.js";

const desired: KubeObject = {
  apiVersion: "security.istio.io/v1",
  kind: "PeerAuthentication",
  metadata: { name: "mg-p-m-mtls", namespace: "ns", labels: { "app.kubernetes.io/managed-by": "modelguard" } },
  spec: { selector: { matchLabels: { app: "m" } }, mtls: { mode: "STRICT" } },
};

test("the hash ignores key order and changes with any value", () => {
  const reordered = { kind: desired.kind, apiVersion: desired.apiVersion, spec: { mtls: { mode: "STRICT" }, selector: { matchLabels: { app: "m" } } }, metadata: desired.metadata };
  assert.equal(desiredHash(reordered), desiredHash(desired));
  assert.notEqual(desiredHash({ ...desired, spec: { mtls: { mode: "PERMISSIVE" } } }), desiredHash(desired));
});

test("contains: extra fields on the live object are fine, changed or missing ones are not", () => {
  assert.ok(contains({ a: 1, b: { c: 2, d: 3 }, extra: true }, { a: 1, b: { c: 2 } }));
  assert.ok(!contains({ a: 1, b: { c: 3 } }, { a: 1, b: { c: 2 } }));
  assert.ok(!contains({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(contains({ l: [{ x: 1, y: 2 }] }, { l: [{ x: 1 }] }));
  assert.ok(!contains({ l: [{ x: 1 }, { x: 2 }] }, { l: [{ x: 1 }] }), "a list someone extended is drift");
});

test("upToDate needs our hash and our fields", () => {
  const applied = withDesiredHash(desired);
  const live: ApiObject = { ...structuredClone(applied), status: {}, metadata: { ...structuredClone(applied.metadata), resourceVersion: "7", uid: "u" } };
  assert.ok(upToDate(applied, live));
  assert.ok(!upToDate(applied, undefined));
  const edited = structuredClone(live);
  (edited.spec as { mtls: { mode: string } }).mtls.mode = "DISABLE";
  assert.ok(!upToDate(applied, edited), "edited by someone");
  const older = structuredClone(live);
  older.metadata.annotations = { ...older.metadata.annotations, [DESIRED_HASH_ANNOTATION]: "0".repeat(32) };
  assert.ok(!upToDate(applied, older), "applied from an older desired state (fields may need removing)");
});
