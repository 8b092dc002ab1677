import type { KubeObject } from "../translate/metadata.js";
import { isNotFound, type KubeClient } from "./kube-client.js";
import type { ApiObject } from "./objects.js";
import { managedResourceFor, resourcePath, type Resource } from "./resources.js";

/** The one field manager of everything the operator writes. */
export const FIELD_MANAGER = "modelguard";

/** Server-side apply with our field manager, forcing ownership of every field we set. */
export function applyObject(client: KubeClient, obj: KubeObject): Promise<ApiObject> {
  const r = managedResourceFor(obj);
  return client.request<ApiObject>({
    method: "PATCH",
    path: resourcePath(r, obj.metadata.namespace, obj.metadata.name),
    query: { fieldManager: FIELD_MANAGER, force: true },
    body: obj,
    contentType: "application/apply-patch+yaml",
  });
}

/** Deletes one object if it is still the one we saw (uid precondition); false if already gone. */
export async function deleteObject(client: KubeClient, r: Resource, namespace: string, name: string, uid?: string): Promise<boolean> {
  try {
    await client.request({
      method: "DELETE",
      path: resourcePath(r, namespace, name),
      body: { apiVersion: "v1", kind: "DeleteOptions", ...(uid ? { preconditions: { uid } } : {}) },
    });
    return true;
  } catch (err) {
    if (isNotFound(err) || (err as { code?: number }).code === 409) return false;
    throw err;
  }
}
