// Shared setup for the operator suites: a real control plane with the Istio CRDs and ours,
// plain-JSON reads and writes, and the example manifests moved into a test namespace.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { Controller, type ControllerOptions } from "../../operator/src/controller/controller.js";
import { istioCrdsPath, startControlPlane, type ControlPlane } from "../harness/kube/index.js";
import { pollUntil } from "../harness/poll.js";
import { KubeClient } from "../../operator/src/controller/kube-client.js";
import type { ApiObject } from "../../operator/src/controller/objects.js";
import { MANAGED_RESOURCES, resourcePath, RESTRICTION_RESOURCE, type Resource } from "../../operator/src/controller/resources.js";
import { conditionOf } from "../../operator/src/controller/status.js";
import type { Condition } from "../../operator/src/api/condition.js";

export const POLICY_CRD = "crds/modelendpointpolicies.modelguard.dev.yaml";
export const RESTRICTION_CRD = "crds/clientrestrictions.modelguard.dev.yaml";
export const TEST_MANAGER = "operator-test";
/** Fixed module reference so expected objects can be computed with translate. */
export const TEST_WASM = { url: "http://modelguard.test/wasm/test.wasm", sha256: "a".repeat(64) };

export async function startTestControlPlane(): Promise<ControlPlane> {
  const cp = await startControlPlane();
  try {
    await cp.loadCrds([istioCrdsPath(), POLICY_CRD, RESTRICTION_CRD]);
  } catch (err) {
    await cp.stop();
    throw err;
  }
  return cp;
}

/** What a test does to the cluster, as a user with kubectl would (its own field manager). */
/** A started, synced in-process controller with the test defaults (fast retries, no resync); `extra` adds or overrides options. */
export async function startTestController(cp: ControlPlane, extra: Partial<ControllerOptions> = {}): Promise<Controller> {
  const controller = new Controller({ kubeConfig: cp.kubeConfig(), wasm: TEST_WASM, workers: 2, resyncPeriodMs: 0, retryBaseMs: 50, retryMaxMs: 1_000, ...extra });
  controller.start();
  await controller.waitForSync();
  return controller;
}

export class TestCluster {
  readonly client: KubeClient;
  constructor(readonly cp: ControlPlane) {
    this.client = new KubeClient(cp.kubeConfig());
  }

  async createNamespace(name: string): Promise<void> {
    await this.client.request({ method: "POST", path: "/api/v1/namespaces", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
  }

  /** Server-side apply as the test's own manager. */
  apply(obj: ApiObject): Promise<ApiObject> {
    return this.client.request<ApiObject>({
      method: "PATCH",
      path: resourcePath(resourceOf(obj), obj.metadata.namespace, obj.metadata.name),
      query: { fieldManager: TEST_MANAGER, force: true },
      body: obj,
      contentType: "application/apply-patch+yaml",
    });
  }

  async get(r: Resource, namespace: string, name: string): Promise<ApiObject | undefined> {
    try {
      return await this.client.request<ApiObject>({ method: "GET", path: resourcePath(r, namespace, name) });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async list(r: Resource, namespace: string, labelSelector?: string): Promise<ApiObject[]> {
    const res = await this.client.request<{ items: ApiObject[] }>({ method: "GET", path: resourcePath(r, namespace), query: { labelSelector } });
    return res.items.map((o) => ({ ...o, apiVersion: r.apiVersion, kind: r.kind }));
  }

  mergePatch(r: Resource, namespace: string, name: string, patch: unknown): Promise<ApiObject> {
    return this.client.request<ApiObject>({
      method: "PATCH",
      path: resourcePath(r, namespace, name),
      body: patch,
      contentType: "application/merge-patch+json",
      query: { fieldManager: TEST_MANAGER },
    });
  }

  async delete(r: Resource, namespace: string, name: string): Promise<void> {
    await this.client.request({ method: "DELETE", path: resourcePath(r, namespace, name) });
  }

  /** Every object in `namespace` carrying ModelGuard's labels, all managed kinds. */
  async managedObjects(namespace: string): Promise<ApiObject[]> {
    const all = await Promise.all(MANAGED_RESOURCES.map((r) => this.list(r, namespace, "app.kubernetes.io/managed-by=modelguard")));
    return all.flat();
  }

  /** Polls until the policy's status says Accepted and Programmed for its current generation. */
  /** Waits for Accepted=True and Programmed=True at the current generation. With `withTargets`
   *  (default) the Programmed reason must not be NoTargets: the policy's Deployments may reach the
   *  controller's cache after the policy itself, and the status catches up on the next reconcile. */
  async waitProgrammed(namespace: string, name: string, timeoutMs = 30_000, withTargets = true): Promise<ApiObject> {
    return pollUntil(
      async () => {
        const p = await this.get(POLICY, namespace, name);
        if (!p) return undefined;
        const ok = (c: Condition | undefined) => c?.status === "True" && c.observedGeneration === p.metadata.generation;
        const programmed = conditionOf(p, "Programmed");
        if (withTargets && programmed?.reason === "NoTargets") return undefined;
        return ok(conditionOf(p, "Accepted")) && ok(programmed) ? p : undefined;
      },
      { timeoutMs, what: `${namespace}/${name} Accepted=True, Programmed=True` },
    );
  }

  async events(namespace: string): Promise<{ reason: string; type: string; message: string; involvedObject: { name: string } }[]> {
    const res = await this.client.request<{ items: { reason: string; type: string; message: string; involvedObject: { name: string } }[] }>({
      method: "GET",
      path: `/api/v1/namespaces/${namespace}/events`,
    });
    return res.items;
  }

  close(): void {
    this.client.close();
  }
}

export const POLICY: Resource = { apiVersion: "modelguard.dev/v1alpha1", kind: "ModelEndpointPolicy", plural: "modelendpointpolicies" };
export const DEPLOYMENT: Resource = { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments" };
export const SECRET: Resource = { apiVersion: "v1", kind: "Secret", plural: "secrets" };
export const RESTRICTION: Resource = RESTRICTION_RESOURCE;

export function resourceOf(o: ApiObject): Resource {
  for (const r of [POLICY, DEPLOYMENT, SECRET, RESTRICTION, ...MANAGED_RESOURCES]) if (r.apiVersion === o.apiVersion && r.kind === o.kind) return r;
  throw new Error(`no resource for ${String(o.apiVersion)}/${String(o.kind)}`);
}

/** An example file's documents, moved into `namespace`. */
export function loadExample(path: string, namespace: string): ApiObject[] {
  return parseAllDocuments(readFileSync(path, "utf8"))
    .map((d) => d.toJS() as ApiObject | null)
    .filter((o): o is ApiObject => o !== null)
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
}

export function deployment(namespace: string, name: string, policy: string | undefined): ApiObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, ...(policy !== undefined ? { annotations: { "modelguard.dev/policy": policy } } : {}) },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "model", image: "example/model:1" }] } },
    },
  };
}

export function secret(namespace: string, name: string, stringData: Record<string, string>): ApiObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type: "Opaque", stringData };
}

/** A small valid policy: JWT auth, one tier, optional API keys from a Secret. */
export function policy(namespace: string, name: string, opts: { apiKeySecret?: string; mtls?: "Strict" | "Permissive" } = {}): ApiObject {
  return {
    apiVersion: "modelguard.dev/v1alpha1",
    kind: "ModelEndpointPolicy",
    metadata: { name, namespace },
    spec: {
      ...(opts.mtls ? { mtls: { mode: opts.mtls } } : {}),
      authentication: {
        jwt: [{ name: "idp", issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/jwks.json" }],
        ...(opts.apiKeySecret ? { apiKeys: { secretRefs: [{ name: opts.apiKeySecret, tier: "basic" }] } } : {}),
      },
      tiers: [{ name: "basic", requestsPerMinute: 60 }],
      rules: [{ models: ["*"] }],
    },
  };
}

export const names = (objs: readonly ApiObject[]) => objs.map((o) => `${String(o.kind)}/${o.metadata.name}`).sort();

export const resourceVersions = (objs: readonly ApiObject[]) =>
  Object.fromEntries(objs.map((o) => [`${String(o.kind)}/${o.metadata.name}`, o.metadata.resourceVersion]));

export function assertCondition(p: ApiObject, type: string, status: string, reason?: string): Condition {
  const c = conditionOf(p, type);
  assert.ok(c, `${type} condition missing: ${JSON.stringify(p.status)}`);
  assert.equal(c.status, status, `${type}: ${JSON.stringify(c)}`);
  if (reason !== undefined) assert.equal(c.reason, reason, `${type}: ${JSON.stringify(c)}`);
  return c;
}
