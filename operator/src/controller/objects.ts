/** The metadata every API object has, as the controller reads it (plain JSON from the apiserver). */
export interface ObjectMetaLike {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  managedFields?: unknown;
  [field: string]: unknown;
}

export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMetaLike;
  [field: string]: unknown;
}

/** `namespace/name`, the only thing the work queue carries. */
export const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export const keyOf = (o: ApiObject) => objectKey(o.metadata.namespace, o.metadata.name);

/** Drops what the controller never reads (managedFields can be most of an object's size). */
export function withoutManagedFields<T extends ApiObject>(o: T): T {
  if (o.metadata.managedFields === undefined) return o;
  const { managedFields: _dropped, ...metadata } = o.metadata;
  return { ...o, metadata: metadata as ObjectMetaLike };
}
