// What the caches keep of each object: enough for translate and for drift checks, no more.
import { POLICY_ANNOTATION } from "../api/constants.js";
import { withoutManagedFields, type ApiObject, type ObjectMetaLike } from "./objects.js";
import type { Resource } from "./resources.js";

const identity = (m: ObjectMetaLike): ObjectMetaLike => ({
  name: m.name,
  ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
  ...(m.uid !== undefined ? { uid: m.uid } : {}),
  ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
  ...(m.generation !== undefined ? { generation: m.generation } : {}),
});

/** Lists leave out apiVersion/kind on items; put them back and drop managedFields. */
export const asKind = (r: Resource) => (o: ApiObject): ApiObject => ({ ...withoutManagedFields(o), apiVersion: r.apiVersion, kind: r.kind });

/** A Deployment reduced to its name, our annotation and its selector (what translate reads). */
export function slimDeployment(o: ApiObject): ApiObject {
  const annotation = o.metadata.annotations?.[POLICY_ANNOTATION];
  const spec = (o.spec ?? {}) as { selector?: unknown };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { ...identity(o.metadata), ...(annotation !== undefined ? { annotations: { [POLICY_ANNOTATION]: annotation } } : {}) },
    spec: { selector: spec.selector ?? {} },
  };
}

/** Secret types that never hold API keys or revocation lists, and can be large. */
const IGNORED_SECRET_TYPES = new Set(["helm.sh/release.v1", "kubernetes.io/service-account-token"]);

/** A Secret reduced to its name and data. Values stay in memory only; they are never logged. */
export function slimSecret(o: ApiObject): ApiObject {
  const type = typeof o.type === "string" ? o.type : "Opaque";
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: identity(o.metadata),
    type,
    ...(IGNORED_SECRET_TYPES.has(type) ? {} : { data: o.data ?? {} }),
  };
}
