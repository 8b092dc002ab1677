// The generated ModelEndpointPolicy CRD in a real kube-apiserver: the apiserver's schema and CEL
// rules must refuse exactly what `modelguard validate` refuses, at the same field, and every
// object the translator renders for the examples must be accepted with the Istio CRDs loaded.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { INVALID_POLICIES, basePolicy, withSpec } from "../../operator/src/api/policy-cases.js";
import { RULE_MESSAGES } from "../../operator/src/api/cel-rule.js";
import { sortInputs } from "../../operator/src/cli/inputs.js";
import { parseManifests } from "../../operator/src/cli/manifests.js";
import { translate } from "../../operator/src/translate/translate.js";
import { expectApiFailure } from "../harness/kube/api-errors.js";
import { istioCrdsPath } from "../harness/kube/binaries.js";
import { startControlPlane, type ControlPlane } from "../harness/kube/control-plane.js";

const FIELD_MANAGER = "modelguard-test";
const CRD = "crds/modelendpointpolicies.modelguard.dev.yaml";

let cp: ControlPlane | undefined;
let api: KubernetesObjectApi;

const apply = (o: KubernetesObject, dryRun?: "All") => api.patch(o, undefined, dryRun, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);

before(async () => {
  cp = await startControlPlane();
  await cp.loadCrds([istioCrdsPath(), CRD]);
  api = KubernetesObjectApi.makeApiClient(cp.kubeConfig());
  for (const ns of ["ns", "ml-serving", "vision", "risk"]) await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
});

after(async () => {
  await cp?.stop();
});

describe("ModelEndpointPolicy CRD in a real apiserver", () => {
  test("a valid policy is stored with the documented defaults", async () => {
    const stored = (await apply(withSpec(() => undefined) as KubernetesObject)) as { spec: Record<string, Record<string, unknown>> };
    assert.equal(stored.spec.protocol as unknown, "Auto");
    assert.equal(stored.spec.mtls?.mode, "Strict");
    assert.equal(stored.spec.failureMode as unknown, "Closed");
    assert.equal(stored.spec.payload?.maxBodyBytes, 1048576);
    assert.equal((stored.spec.payload?.json as Record<string, unknown>).maxDepth, 32);
    assert.equal(stored.spec.identity?.clientIdClaim, "sub");
  });

  INVALID_POLICIES.forEach(([name, input, want], i) => {
    // Offline-only: the apiserver cannot even route an object of another apiVersion.
    if (want.some((w) => w.startsWith("apiVersion:"))) return;
    test(`refused like offline validation: ${name}`, async () => {
      const obj = structuredClone(input) as KubernetesObject & { metadata: { name: string } };
      obj.metadata.namespace = "ns";
      // A fresh name per case: applying over an existing object would merge with it.
      if (!want.some((w) => w.startsWith("metadata.name"))) obj.metadata.name = `invalid-${i}`;
      const failure = await expectApiFailure(() => apply(obj, "All"));
      // Server-side apply refuses unknown fields while building the typed patch (500), the rest is 422.
      assert.ok(failure.code === 422 || /field not declared in schema/.test(failure.message), `${failure.code} ${failure.message}`);
      // The apiserver skips CEL rules while other fields are invalid; offline validation does not.
      const celSkipped = failure.message.includes("some validation rules were not checked");
      for (const w of want) {
        const [path, message] = splitError(w);
        if (RULE_MESSAGES.has(message) && !celSkipped) {
          assert.ok(failure.message.includes(message), `${failure.message}\n  should include: ${message}`);
        }
        // The apiserver names the same field, except for its own root-level rules.
        if (!path.startsWith("metadata.") && path !== "apiVersion") {
          assert.ok(failure.message.includes(path), `${failure.message}\n  should name: ${path}`);
        }
      }
    });
  });

  test("the example policies and every object they render are accepted", async () => {
    const files = readdirSync("examples").filter((f) => f.endsWith(".yaml"));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const inputs = sortInputs(parseManifests(readFileSync(`examples/${f}`, "utf8"), f));
      for (const p of inputs.policies) {
        const stored = (await apply(p.object as unknown as KubernetesObject)) as KubernetesObject;
        const uid = stored.metadata?.uid;
        assert.ok(uid);
        const t = translate({
          policy: { ...p.object, metadata: { ...(p.object.metadata as object), uid } },
          deployments: inputs.deployments,
          secrets: inputs.secrets,
          wasm: { url: "http://modelguard.modelguard-system.svc.cluster.local:8080/wasm/x.wasm", sha256: "b".repeat(64) },
        });
        assert.equal(t.accepted, true, JSON.stringify(t.diagnostics));
        for (const o of t.objects) await apply(o as KubernetesObject);
      }
    }
  });

  test("a policy name longer than 63 characters is refused by the root rule", async () => {
    const p = basePolicy();
    p.metadata = { name: "n".repeat(64), namespace: "ns" };
    const failure = await expectApiFailure(() => apply(p as KubernetesObject, "All"));
    assert.ok(failure.message.includes("metadata.name must be at most 63 characters"), failure.message);
  });
});

function splitError(e: string): [string, string] {
  const i = e.indexOf(": ");
  return i < 0 ? ["", e] : [e.slice(0, i), e.slice(i + 2)];
}
