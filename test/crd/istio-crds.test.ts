// The Istio CRDs from istio.io/api, loaded into a real kube-apiserver: the objects ModelGuard
// will write must pass the CRDs' schemas and CEL rules, and broken ones must be refused by them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { pollUntil } from "../harness/poll.js";
import { istioCrdsPath } from "../harness/kube/binaries.js";
import { startControlPlane, type ControlPlane } from "../harness/kube/control-plane.js";
import { expectApiFailure } from "../harness/kube/api-errors.js";

const NS = "default";
const FIELD_MANAGER = "modelguard-crd-test";

interface IstioObject extends KubernetesObject {
  spec: Record<string, unknown>;
}

function obj(apiVersion: string, kind: string, name: string, spec: Record<string, unknown>): IstioObject {
  return { apiVersion, kind, metadata: { name, namespace: NS }, spec };
}

const selector = { matchLabels: { app: "llm-server" } };

const peerAuthentication = obj("security.istio.io/v1", "PeerAuthentication", "mg-llm-peerauthentication", {
  selector,
  mtls: { mode: "STRICT" },
});

const authorizationPolicy = obj("security.istio.io/v1", "AuthorizationPolicy", "mg-llm-authorizationpolicy", {
  selector,
  action: "ALLOW",
  rules: [
    {
      from: [{ source: { requestPrincipals: ["https://issuer.example/*"], principals: ["cluster.local/ns/apps/sa/client"] } }],
      to: [{ operation: { methods: ["POST"], paths: ["/v1/chat/completions", "/v2/models/*"] } }],
    },
  ],
});

const pluginConfig = {
  models: [{ name: "llama-3-8b", tiers: { free: { rpm: 10 }, pro: { rpm: 600 } } }],
  payload: { maxBytes: 1048576, ssrf: { allowHosts: [] } },
  nested: { deeply: { kept: [1, 2.5, true, null, "s"] } },
};

const wasmPlugin = obj("extensions.istio.io/v1alpha1", "WasmPlugin", "mg-llm-wasmplugin", {
  selector,
  url: "http://modelguard.modelguard-system.svc:8080/filter.wasm",
  sha256: "a".repeat(64),
  phase: "STATS",
  failStrategy: "FAIL_CLOSE",
  pluginConfig,
});

/** Each case breaks one CEL rule (x-kubernetes-validations) of the Istio CRDs. */
const celViolations: { name: string; object: IstioObject; message: string }[] = [
  {
    name: "AuthorizationPolicy with both selector and targetRefs",
    object: obj("security.istio.io/v1", "AuthorizationPolicy", "bad-selector-and-targetrefs", {
      selector,
      targetRefs: [{ group: "", kind: "Service", name: "llm-server" }],
    }),
    message: "only one of targetRefs or selector can be set",
  },
  {
    name: "AuthorizationPolicy source with serviceAccounts and principals",
    object: obj("security.istio.io/v1", "AuthorizationPolicy", "bad-serviceaccounts-and-principals", {
      selector,
      rules: [{ from: [{ source: { serviceAccounts: ["apps/client"], principals: ["cluster.local/ns/apps/sa/client"] } }] }],
    }),
    message: "Cannot set serviceAccounts with namespaces or principals",
  },
  {
    name: "PeerAuthentication with a wildcard in a selector value",
    object: obj("security.istio.io/v1", "PeerAuthentication", "bad-wildcard-selector", {
      selector: { matchLabels: { app: "llm-*" } },
      mtls: { mode: "STRICT" },
    }),
    message: "wildcard not allowed in label value match",
  },
  {
    name: "PeerAuthentication portLevelMtls without a selector",
    object: obj("security.istio.io/v1", "PeerAuthentication", "bad-portlevel-without-selector", {
      mtls: { mode: "STRICT" },
      portLevelMtls: { "8080": { mode: "PERMISSIVE" } },
    }),
    message: "portLevelMtls requires selector",
  },
  {
    name: "WasmPlugin with an ftp:// url",
    object: { ...wasmPlugin, metadata: { name: "bad-url-scheme", namespace: NS }, spec: { ...wasmPlugin.spec, url: "ftp://example.com/filter.wasm" } },
    message: "url must have schema one of [http, https, file, oci]",
  },
];

describe("Istio CRDs on a real kube-apiserver", () => {
  let cp: ControlPlane | undefined;
  let api: KubernetesObjectApi;

  const plane = (): ControlPlane => {
    assert.ok(cp, "control plane not started");
    return cp;
  };
  const apply = <T extends KubernetesObject>(o: T): Promise<T> =>
    api.patch(o, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  const read = (o: KubernetesObject): Promise<IstioObject> =>
    api.read<IstioObject>({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata?.name ?? "", namespace: NS } });

  before(async () => {
    cp = await startControlPlane();
    api = KubernetesObjectApi.makeApiClient(cp.kubeConfig());
    const names = await cp.loadCrds([istioCrdsPath()]);
    assert.ok(names.includes("peerauthentications.security.istio.io"), names.join(", "));
    assert.ok(names.includes("wasmplugins.extensions.istio.io"), names.join(", "));
  });

  after(async () => {
    await cp?.stop();
  });

  test("accepts a PeerAuthentication with mTLS STRICT for selected workloads", async () => {
    await apply(peerAuthentication);
    const stored = await read(peerAuthentication);
    assert.deepEqual(stored.spec, peerAuthentication.spec);
  });

  test("accepts an AuthorizationPolicy that requires request principals", async () => {
    await apply(authorizationPolicy);
    const stored = await read(authorizationPolicy);
    assert.deepEqual(stored.spec, authorizationPolicy.spec);
  });

  test("accepts a WasmPlugin and keeps its pluginConfig verbatim", async () => {
    await apply(wasmPlugin);
    const stored = await read(wasmPlugin);
    assert.equal(stored.spec.phase, "STATS");
    assert.equal(stored.spec.failStrategy, "FAIL_CLOSE");
    assert.deepEqual(stored.spec.pluginConfig, pluginConfig);
  });

  for (const c of celViolations) {
    test(`refuses ${c.name} by the CRD's CEL rule`, async () => {
      const failure = await expectApiFailure(() => apply(c.object));
      assert.equal(failure.code, 422, failure.message);
      assert.ok(failure.message.includes(c.message), `expected "${c.message}" in: ${failure.message}`);
      const notStored = await expectApiFailure(() => read(c.object));
      assert.equal(notStored.code, 404);
    });
  }

  test("refuses an mTLS mode outside the schema enum (OpenAPI, not CEL)", async () => {
    const bad = obj("security.istio.io/v1", "PeerAuthentication", "bad-enum", { selector, mtls: { mode: "SOMETIMES" } });
    const failure = await expectApiFailure(() => apply(bad));
    assert.equal(failure.code, 422, failure.message);
    assert.match(failure.message, /spec\.mtls\.mode: Unsupported value: "SOMETIMES"/);
  });

  test("keeps objects and CRDs across an apiserver restart", async () => {
    const before = await read(peerAuthentication);
    await plane().restartApiServer();
    // Fresh client: connections to the old process are gone.
    api = KubernetesObjectApi.makeApiClient(plane().kubeConfig());
    const afterRestart = await pollUntil(() => read(peerAuthentication), { timeoutMs: 30_000, what: "PeerAuthentication after restart" });
    assert.equal(afterRestart.metadata?.uid, before.metadata?.uid);
    assert.equal(afterRestart.metadata?.resourceVersion, before.metadata?.resourceVersion);
    const plugin = await read(wasmPlugin);
    assert.deepEqual(plugin.spec.pluginConfig, pluginConfig);
    // The CEL rules are still enforced by the restarted apiserver.
    const [violation] = celViolations;
    assert.ok(violation);
    const failure = await expectApiFailure(() => apply(violation.object));
    assert.ok(failure.message.includes(violation.message), failure.message);
  });
});
