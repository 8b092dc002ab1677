import assert from "node:assert/strict";
import { test } from "node:test";
import { policyChangeMatters, policyKeyForManagedObject, policyKeysForDeployment, policyKeysForSecret, referencedSecretNames } from "./event-mapping.js";
import type { ApiObject } from "./objects.js";

const dep = (ns: string, policy?: string): ApiObject => ({
  metadata: { name: "d", namespace: ns, ...(policy ? { annotations: { "modelguard.dev/policy": policy } } : {}) },
});

test("a Deployment maps to the policy it is annotated for, before and after", () => {
  assert.deepEqual(policyKeysForDeployment(dep("ns", "a"), undefined), ["ns/a"]);
  assert.deepEqual(policyKeysForDeployment(dep("ns", "b"), dep("ns", "a")).sort(), ["ns/a", "ns/b"]);
  assert.deepEqual(policyKeysForDeployment(dep("ns"), dep("ns", "a")), ["ns/a"], "un-annotated");
  assert.deepEqual(policyKeysForDeployment(dep("ns"), undefined), []);
});

test("a Secret maps to the policies in its namespace that reference it", () => {
  const p = (name: string, spec: unknown): ApiObject => ({ metadata: { name, namespace: "ns" }, spec });
  const policies = [
    p("keys", { authentication: { apiKeys: { secretRefs: [{ name: "k1", tier: "t" }, { name: "k2", tier: "t" }] } } }),
    p("revocation", { revocation: { secretRef: { name: "k2" } } }),
    p("none", { authentication: { jwt: [] } }),
    p("broken", { authentication: "not an object" }),
  ];
  assert.deepEqual(referencedSecretNames(policies[0] as ApiObject), ["k1", "k2"]);
  assert.deepEqual(policyKeysForSecret({ metadata: { name: "k2", namespace: "ns" } }, policies), ["ns/keys", "ns/revocation"]);
  assert.deepEqual(policyKeysForSecret({ metadata: { name: "other", namespace: "ns" } }, policies), []);
});

test("generated objects map to their policy label; status-only policy updates are ignored", () => {
  const labels = { "app.kubernetes.io/managed-by": "modelguard", "modelguard.dev/policy": "p" };
  assert.equal(policyKeyForManagedObject({ metadata: { name: "x", namespace: "ns", labels } }), "ns/p");
  assert.equal(policyKeyForManagedObject({ metadata: { name: "x", namespace: "ns", labels: { "modelguard.dev/policy": "p" } } }), undefined);
  const v1: ApiObject = { metadata: { name: "p", uid: "u", generation: 1 } };
  assert.equal(policyChangeMatters({ ...v1, status: {} }, v1), false);
  assert.equal(policyChangeMatters({ metadata: { ...v1.metadata, generation: 2 } }, v1), true);
  assert.equal(policyChangeMatters(v1, undefined), true);
});
