import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, POLICY_LABEL } from "../api/constants.js";
import type { DetectorEndpoint, Deployment, Secret, WasmModuleRef } from "../translate/inputs.js";
import type { KubeObject } from "../translate/metadata.js";
import { translate, type Translation } from "../translate/translate.js";
import { applyObject, deleteObject } from "./apply.js";
import { upToDate, withDesiredHash, DESIRED_HASH_ANNOTATION } from "./desired.js";
import type { EventRecorder } from "./events.js";
import type { InFlight } from "./in-flight.js";
import type { Informer } from "./informer.js";
import { ApiError, type KubeClient } from "./kube-client.js";
import { errorText, type Logger } from "./log.js";
import { splitKey, type ApiObject } from "./objects.js";
import { gvk, MANAGED_RESOURCES, managedResourceFor, POLICY_RESOURCE, resourcePath, RESTRICTION_RESOURCE } from "./resources.js";
import { splitRestrictions } from "./restrictions.js";
import { buildStatus, statusText, type ProgramOutcome } from "./status.js";

/** The informer caches reconcile reads from; it never lists or gets from the apiserver. */
export interface Caches {
  policies: Informer<ApiObject>;
  deployments: Informer<ApiObject>;
  secrets: Informer<ApiObject>;
  /** One per managed kind, keyed by `apiVersion/kind`, holding only objects with our labels. */
  managed: ReadonlyMap<string, Informer<ApiObject>>;
  /** ClientRestrictions (throttles and blocks of single clients). */
  restrictions?: Informer<ApiObject>;
}

export interface ReconcileContext {
  client: KubeClient;
  caches: Caches;
  wasm: WasmModuleRef;
  /** The detector's report endpoint, when this operator runs one. */
  detector?: DetectorEndpoint;
  recorder: EventRecorder;
  inFlight: InFlight;
  log: Logger;
  now?: () => Date;
}

export interface ReconcileReport {
  result: "success" | "rejected" | "deleted";
  applied: number;
  pruned: number;
  unchanged: number;
  statusWritten: boolean;
  /** Reconcile again after this long (the next restriction expiry). */
  requeueAfterMs?: number;
}

/** An error worth retrying with backoff (apply refused, apiserver unreachable). */
export class RetryableError extends Error {}

export const objectId = (o: { apiVersion: string; kind: string }, namespace: string, name: string) => `${gvk(o)}/${namespace}/${name}`;
export const statusId = (namespace: string, name: string) => `status/${namespace}/${name}`;

/**
 * Level-based: re-reads the policy, its Deployments and Secrets from the caches, translates, and
 * if the policy is accepted applies what differs and prunes what is no longer wanted. An invalid
 * policy changes nothing in the cluster but its own status.
 */
export async function reconcile(key: string, c: ReconcileContext): Promise<ReconcileReport> {
  const { namespace, name } = splitKey(key);
  const policy = c.caches.policies.get(namespace, name);
  if (!policy) {
    // Owner references let Kubernetes' garbage collector remove children; pruning here as well
    // keeps clusters without a garbage collector (and orphaned children) clean.
    const pruned = await pruneOwned(c, namespace, name, new Set());
    c.recorder.forget(key);
    return { result: "deleted", applied: 0, pruned, unchanged: 0, statusWritten: false };
  }
  if (policy.metadata.deletionTimestamp !== undefined) {
    return { result: "deleted", applied: 0, pruned: 0, unchanged: 0, statusWritten: false };
  }
  const restrictions = splitRestrictions(c.caches.restrictions?.list(namespace) ?? [], name, now(c).getTime());
  const t = translate({
    policy,
    deployments: c.caches.deployments.list(namespace) as unknown as Deployment[],
    secrets: c.caches.secrets.list(namespace) as unknown as Secret[],
    wasm: c.wasm,
    ...(c.detector ? { detector: c.detector } : {}),
    restrictions: restrictions.active,
  });

  if (!t.accepted) {
    const statusWritten = await patchStatusIfChanged(c, policy, t, undefined);
    const accepted = buildStatus(policy, t, undefined, now(c)).conditions?.[0];
    await recordEvent(c, policy, "Warning", "Rejected", accepted?.message ?? "policy rejected");
    return { result: "rejected", applied: 0, pruned: 0, unchanged: 0, statusWritten };
  }

  const outcome = await applyChanged(c, t.objects);
  if (outcome.failures.length === 0) {
    const wanted = new Set(t.objects.map((o) => objectId(o, o.metadata.namespace, o.metadata.name)));
    outcome.pruned = await pruneOwned(c, namespace, name, wanted);
  }
  const statusWritten = await patchStatusIfChanged(c, policy, t, outcome);
  if (outcome.failures.length > 0) {
    await recordEvent(c, policy, "Warning", "ApplyFailed", outcome.failures.join("; "));
    throw new RetryableError(`${key}: ${outcome.failures.length} objects not applied: ${outcome.failures.join("; ")}`);
  }
  if (outcome.applied > 0 || outcome.pruned > 0) {
    const what = `applied ${outcome.applied} and pruned ${outcome.pruned} objects (generation ${policy.metadata.generation ?? 0}, targets: ${t.targets.join(", ") || "none"})`;
    await recordEvent(c, policy, "Normal", "Programmed", what);
  }
  // Only once the filter config without them is applied: expired restrictions are deleted, each
  // with an Event as its audit record.
  for (const o of restrictions.expired) {
    if (await deleteObject(c.client, RESTRICTION_RESOURCE, namespace, o.metadata.name, o.metadata.uid)) {
      const spec = (o as { spec?: { client?: string; action?: string; expiresAt?: string } }).spec ?? {};
      await recordEvent(c, policy, "Normal", "RestrictionExpired", `${spec.action ?? ""} of client ${spec.client ?? ""} expired at ${spec.expiresAt ?? ""} (ClientRestriction ${o.metadata.name} deleted)`);
    }
  }
  return {
    result: "success",
    applied: outcome.applied,
    pruned: outcome.pruned,
    unchanged: outcome.unchanged,
    statusWritten,
    ...(restrictions.nextExpiryInMs !== undefined ? { requeueAfterMs: restrictions.nextExpiryInMs + 50 } : {}),
  };
}

const now = (c: ReconcileContext) => (c.now ? c.now() : new Date());

/** Server-side applies each desired object whose cached state differs from it. */
export async function applyChanged(c: ReconcileContext, objects: readonly KubeObject[]): Promise<ProgramOutcome> {
  const outcome: ProgramOutcome = { applied: 0, unchanged: 0, pruned: 0, failures: [] };
  let transient: ApiError | undefined;
  await Promise.all(
    objects.map(async (desired) => {
      const obj = withDesiredHash(desired);
      const { namespace, name } = obj.metadata;
      const id = objectId(obj, namespace, name);
      const hash = (obj.metadata as { annotations?: Record<string, string> }).annotations?.[DESIRED_HASH_ANNOTATION] ?? "";
      const live = c.caches.managed.get(gvk(obj))?.get(namespace, name);
      if (upToDate(obj, live) || c.inFlight.pendingWith(id, hash)) {
        outcome.unchanged++;
        return;
      }
      try {
        await applyObject(c.client, obj);
        c.inFlight.wrote(id, hash);
        outcome.applied++;
      } catch (err) {
        if (err instanceof ApiError && (err.code === 0 || err.code === 429 || err.code >= 500)) transient = err;
        outcome.failures.push(`${obj.kind}/${name}: ${errorText(err)}`);
      }
    }),
  );
  // The apiserver being away is not the policy's fault: retry without touching its status.
  if (transient) throw transient;
  outcome.failures.sort();
  return outcome;
}

/** Deletes objects labelled for this policy that are not in `wanted`. Returns how many. */
export async function pruneOwned(c: ReconcileContext, namespace: string, policyName: string, wanted: ReadonlySet<string>): Promise<number> {
  const stale: ApiObject[] = [];
  for (const r of MANAGED_RESOURCES) {
    for (const o of c.caches.managed.get(gvk(r))?.list(namespace) ?? []) {
      const labels = o.metadata.labels ?? {};
      if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || labels[POLICY_LABEL] !== policyName) continue;
      if (wanted.has(objectId(r, namespace, o.metadata.name))) continue;
      if (c.inFlight.pendingWith(objectId(r, namespace, o.metadata.name), "deleted")) continue;
      stale.push({ ...o, apiVersion: r.apiVersion, kind: r.kind });
    }
  }
  let pruned = 0;
  await Promise.all(
    stale.map(async (o) => {
      const r = managedResourceFor({ apiVersion: o.apiVersion ?? "", kind: o.kind ?? "" });
      if (await deleteObject(c.client, r, namespace, o.metadata.name, o.metadata.uid)) pruned++;
      c.inFlight.wrote(objectId(r, namespace, o.metadata.name), "deleted");
    }),
  );
  return pruned;
}

/** Writes status through the status subresource, only when it differs from what is there. */
export async function patchStatusIfChanged(c: ReconcileContext, policy: ApiObject, t: Translation, outcome: ProgramOutcome | undefined): Promise<boolean> {
  const status = buildStatus(policy, t, outcome, now(c));
  if (statusText(status) === statusText(policy.status ?? {})) return false;
  const { namespace = "", name } = policy.metadata;
  const id = statusId(namespace, name);
  const fingerprint = statusText({ ...status, conditions: status.conditions?.map(({ lastTransitionTime: _t, ...rest }) => rest) });
  if (c.inFlight.pendingWith(id, fingerprint)) return false;
  await c.client.request({
    method: "PATCH",
    path: resourcePath(POLICY_RESOURCE, namespace, name, "status"),
    body: { status },
    contentType: "application/merge-patch+json",
  });
  c.inFlight.wrote(id, fingerprint);
  return true;
}

async function recordEvent(c: ReconcileContext, policy: ApiObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
  try {
    await c.recorder.record(policy, type, reason, message);
  } catch (err) {
    c.log.warn("could not record event", { policy: `${policy.metadata.namespace ?? ""}/${policy.metadata.name}`, reason, error: errorText(err) });
  }
}
