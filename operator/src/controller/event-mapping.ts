// Which policy keys an event on a Deployment, Secret or generated object concerns. Pure.
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, POLICY_ANNOTATION, POLICY_LABEL } from "../api/constants.js";
import { objectKey, type ApiObject } from "./objects.js";

/** A Deployment concerns the policy it is annotated for, before and after the change. */
export function policyKeysForDeployment(obj: ApiObject, old: ApiObject | undefined): string[] {
  const keys = new Set<string>();
  for (const d of [obj, old]) {
    const policy = d?.metadata.annotations?.[POLICY_ANNOTATION];
    if (policy) keys.add(objectKey(d.metadata.namespace, policy));
  }
  return [...keys];
}

/** Names of the Secrets a policy reads (API keys and revocation lists), from the raw object. */
export function referencedSecretNames(policy: ApiObject): string[] {
  const spec = asRecord(policy.spec);
  const names = new Set<string>();
  const refs = asRecord(asRecord(spec.authentication).apiKeys).secretRefs;
  if (Array.isArray(refs)) for (const r of refs) addName(names, asRecord(r).name);
  addName(names, asRecord(asRecord(spec.revocation).secretRef).name);
  return [...names];
}

/** A Secret concerns every policy in its namespace that references it by name. */
export function policyKeysForSecret(secret: ApiObject, policiesInNamespace: readonly ApiObject[]): string[] {
  return policiesInNamespace
    .filter((p) => referencedSecretNames(p).includes(secret.metadata.name))
    .map((p) => objectKey(p.metadata.namespace, p.metadata.name));
}

/** A generated object concerns the policy named in its label (drift repair, pruning). */
export function policyKeyForManagedObject(o: ApiObject): string | undefined {
  const labels = o.metadata.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return undefined;
  const policy = labels[POLICY_LABEL];
  return policy ? objectKey(o.metadata.namespace, policy) : undefined;
}

/** Label selector of every object the operator manages. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${POLICY_LABEL}`;

/** Policy updates that change neither spec (generation) nor identity are our own status writes. */
export function policyChangeMatters(obj: ApiObject, old: ApiObject | undefined): boolean {
  if (!old) return true;
  return obj.metadata.generation !== old.metadata.generation || obj.metadata.uid !== old.metadata.uid;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function addName(names: Set<string>, v: unknown): void {
  if (typeof v === "string" && v !== "") names.add(v);
}
