import { GROUP, PLURAL, VERSION } from "../api/constants.js";

/** Where a kind lives in the REST API. */
export interface Resource {
  apiVersion: string;
  kind: string;
  plural: string;
}

export const POLICY_RESOURCE: Resource = { apiVersion: `${GROUP}/${VERSION}`, kind: "ModelEndpointPolicy", plural: PLURAL };
export const DEPLOYMENT_RESOURCE: Resource = { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments" };
export const SECRET_RESOURCE: Resource = { apiVersion: "v1", kind: "Secret", plural: "secrets" };
export const EVENT_RESOURCE: Resource = { apiVersion: "v1", kind: "Event", plural: "events" };
export const RESTRICTION_RESOURCE: Resource = { apiVersion: `${GROUP}/${VERSION}`, kind: "ClientRestriction", plural: "clientrestrictions" };
export const POD_RESOURCE: Resource = { apiVersion: "v1", kind: "Pod", plural: "pods" };
export const CONFIGMAP_RESOURCE: Resource = { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps" };
export const LEASE_RESOURCE: Resource = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", plural: "leases" };

/** Every kind the translator produces; the operator watches, applies and prunes exactly these. */
export const MANAGED_RESOURCES: readonly Resource[] = [
  { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", plural: "peerauthentications" },
  { apiVersion: "security.istio.io/v1", kind: "RequestAuthentication", plural: "requestauthentications" },
  { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", plural: "authorizationpolicies" },
  { apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", plural: "wasmplugins" },
  { apiVersion: "networking.istio.io/v1alpha3", kind: "EnvoyFilter", plural: "envoyfilters" },
  CONFIGMAP_RESOURCE,
];

/** `apiVersion/kind`, the key used to find a Resource for an object. */
export const gvk = (o: { apiVersion: string; kind: string }) => `${o.apiVersion}/${o.kind}`;

const byGvk = new Map(MANAGED_RESOURCES.map((r) => [gvk(r), r]));

export function managedResourceFor(o: { apiVersion: string; kind: string }): Resource {
  const r = byGvk.get(gvk(o));
  if (!r) throw new Error(`the operator does not manage ${gvk(o)}`);
  return r;
}

/** REST path of a collection (all namespaces when `namespace` is undefined) or of one object. */
export function resourcePath(r: Resource, namespace?: string, name?: string, subresource?: string): string {
  const base = r.apiVersion.includes("/") ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  let p = namespace === undefined ? `${base}/${r.plural}` : `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) p += `/${subresource}`;
  return p;
}
