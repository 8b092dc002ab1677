import { API_VERSION, KIND, MANAGED_BY_LABEL, MANAGED_BY_VALUE, POLICY_LABEL, TARGET_LABEL } from "../api/constants.js";
import type { ResolvedPolicy } from "./ir.js";

/** A generated Kubernetes object. Plain data: builders return it, the operator applies it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

/** Metadata for a child of `policy`; `target` names the Deployment it is for, if any. */
export function childMeta(policy: ResolvedPolicy, name: string, target?: string): ObjectMeta {
  const labels: Record<string, string> = {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [POLICY_LABEL]: policy.name,
  };
  if (target !== undefined) labels[TARGET_LABEL] = target;
  const meta: ObjectMeta = { name, namespace: policy.namespace, labels };
  // Without a uid (offline render of a file) an owner reference would be wrong: Kubernetes'
  // garbage collector deletes objects whose owner uid does not exist.
  if (policy.uid !== undefined) {
    meta.ownerReferences = [
      { apiVersion: API_VERSION, kind: KIND, name: policy.name, uid: policy.uid, controller: true, blockOwnerDeletion: true },
    ];
  }
  return meta;
}
