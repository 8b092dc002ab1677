import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1";
import { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3";
import { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1";
import { ConfigMap } from "kubernetes-models/v1";
import { sortInputs } from "../cli/inputs.js";
import { parseManifests } from "../cli/manifests.js";
import type { KubeObject } from "./metadata.js";
import { translate } from "./translate.js";

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), "../../../examples");
const GOLDENS = join(dirname(fileURLToPath(import.meta.url)), "../testdata/translate");

/** Schema validation from @kubernetes-models (the CRDs' OpenAPI, not their CEL rules). */
const VALIDATORS: Record<string, (o: KubeObject) => void> = {
  "security.istio.io/v1/PeerAuthentication": (o) => new PeerAuthentication(o as never).validate(),
  "security.istio.io/v1/RequestAuthentication": (o) => new RequestAuthentication(o as never).validate(),
  "security.istio.io/v1/AuthorizationPolicy": (o) => new AuthorizationPolicy(o as never).validate(),
  "extensions.istio.io/v1alpha1/WasmPlugin": (o) => new WasmPlugin(o as never).validate(),
  "networking.istio.io/v1alpha3/EnvoyFilter": (o) => new EnvoyFilter(o as never).validate(),
  "v1/ConfigMap": (o) => new ConfigMap(o as never).validate(),
};

function renderFile(path: string) {
  const inputs = sortInputs(parseManifests(readFileSync(path, "utf8"), path));
  return inputs.policies.map((p) =>
    translate({ policy: p.object, deployments: inputs.deployments, secrets: inputs.secrets, wasm: { url: "http://mg.svc:8080/wasm/x.wasm", sha256: "0".repeat(64) } }),
  );
}

const cases = [
  ...readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")).map((f) => join(EXAMPLES, f)),
  ...readdirSync(GOLDENS).filter((f) => f.endsWith(".in.yaml")).map((f) => join(GOLDENS, f)),
];

describe("rendered objects pass @kubernetes-models validation", () => {
  for (const file of cases) {
    it(file.slice(file.lastIndexOf("/") + 1), () => {
      for (const t of renderFile(file)) {
        for (const o of t.objects) {
          const validate = VALIDATORS[`${o.apiVersion}/${o.kind}`];
          assert.ok(validate, `no validator for ${o.apiVersion} ${o.kind}`);
          assert.doesNotThrow(() => validate(o), `${o.kind}/${o.metadata.name}`);
        }
      }
    });
  }

  it("every example is accepted and protects at least one Deployment", () => {
    for (const file of cases.filter((f) => f.startsWith(EXAMPLES))) {
      const ts = renderFile(file);
      assert.ok(ts.length > 0, file);
      for (const t of ts) {
        assert.equal(t.accepted, true, `${file}: ${JSON.stringify(t.diagnostics)}`);
        assert.ok(t.targets.length > 0, file);
        assert.ok(t.objects.some((o) => o.kind === "WasmPlugin"), file);
      }
    }
  });

  it("the validator really rejects a broken object", () => {
    const [t] = renderFile(join(EXAMPLES, "llm-chat.yaml"));
    const pa = t?.objects.find((o) => o.kind === "PeerAuthentication");
    assert.ok(pa);
    const broken = { ...pa, spec: { mtls: { mode: "SOMETIMES" } } };
    assert.throws(() => VALIDATORS["security.istio.io/v1/PeerAuthentication"]?.(broken as KubeObject));
  });
});
