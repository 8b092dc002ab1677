// The test control plane itself: the admin kubeconfig file works, RBAC is really enforced for
// other users and ServiceAccounts (so least-privilege RBAC can be tested), and a bad start
// fails fast with the apiserver's own output.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  VersionApi,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { pollUntil } from "../harness/poll.js";
import { kubeVersions } from "../harness/kube/binaries.js";
import { startControlPlane, type ControlPlane } from "../harness/kube/control-plane.js";
import { expectApiFailure } from "../harness/kube/api-errors.js";

describe("test control plane", () => {
  let cp: ControlPlane | undefined;
  const plane = (): ControlPlane => {
    assert.ok(cp, "control plane not started");
    return cp;
  };

  before(async () => {
    cp = await startControlPlane({ users: [{ name: "alice", groups: ["modelguard:testers"] }] });
  });

  after(async () => {
    await cp?.stop();
  });

  test("serves the pinned Kubernetes version through the generated kubeconfig file", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(plane().kubeconfigPath);
    assert.equal(kc.getCurrentCluster()?.server, plane().server);
    const info = await kc.makeApiClient(VersionApi).getCode();
    assert.equal(info.gitVersion, kubeVersions().kube);
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    assert.ok(namespaces.items.some((ns) => ns.metadata?.name === "default"));
  });

  test("enforces RBAC for a static user until a RoleBinding allows it", async () => {
    const alice = plane().kubeConfigForUser("alice").makeApiClient(CoreV1Api);
    const denied = await expectApiFailure(() => alice.listNamespacedConfigMap({ namespace: "default" }));
    assert.equal(denied.code, 403, denied.message);
    assert.match(denied.message, /User "alice" cannot list resource "configmaps"/);

    const rbac = plane().kubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: "default",
      body: { metadata: { name: "configmap-reader" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list"] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: "default",
      body: {
        metadata: { name: "testers-read-configmaps" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "configmap-reader" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "modelguard:testers" }],
      },
    });
    // The RBAC authorizer reads bindings from an informer cache, so allow it to catch up.
    await pollUntil(() => alice.listNamespacedConfigMap({ namespace: "default" }), { timeoutMs: 10_000, what: "alice allowed" });
    const stillDenied = await expectApiFailure(() => alice.listNamespacedSecret({ namespace: "default" }));
    assert.equal(stillDenied.code, 403);
  });

  test("authenticates a ServiceAccount by a TokenRequest token", async () => {
    const kc = await plane().kubeConfigForServiceAccount("default", "modelguard-operator");
    const denied = await expectApiFailure(() => kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "default" }));
    assert.equal(denied.code, 403);
    assert.match(denied.message, /system:serviceaccount:default:modelguard-operator/);
  });

  test("loads a CRD given as an object without losing its CEL rules", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.modelguard.dev" },
      spec: {
        group: "example.modelguard.dev",
        names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
        scope: "Namespaced",
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    "x-kubernetes-validations": [{ rule: "self.min <= self.max", message: "min must not exceed max" }],
                    properties: { min: { type: "integer" }, max: { type: "integer" }, extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
                  },
                },
              },
            },
          },
        ],
      },
    };
    assert.deepEqual(await plane().loadCrds([crd]), ["widgets.example.modelguard.dev"]);
    const api = KubernetesObjectApi.makeApiClient(plane().kubeConfig());
    const widget = (name: string, spec: Record<string, unknown>): KubernetesObject & { spec: Record<string, unknown> } => ({
      apiVersion: "example.modelguard.dev/v1",
      kind: "Widget",
      metadata: { name, namespace: "default" },
      spec,
    });
    const kept = await api.create(widget("ok", { min: 1, max: 2, extra: { any: ["thing"] } }));
    assert.deepEqual(kept.spec.extra, { any: ["thing"] });
    const failure = await expectApiFailure(() =>
      api.patch(widget("bad", { min: 3, max: 2 }), undefined, undefined, "test", true, PatchStrategy.ServerSideApply),
    );
    assert.equal(failure.code, 422);
    assert.match(failure.message, /min must not exceed max/);
  });

  test("fails fast with the apiserver's output when it cannot start", async () => {
    await assert.rejects(startControlPlane({ apiServerArgs: ["--no-such-flag=1"] }), (err: Error) => {
      assert.match(err.message, /kube-apiserver exited/);
      assert.match(err.message, /unknown flag: --no-such-flag/);
      return true;
    });
  });
});
