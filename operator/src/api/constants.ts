/** API identity of ModelEndpointPolicy and the names ModelGuard stamps on what it manages. */
export const GROUP = "modelguard.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "ModelEndpointPolicy";
export const PLURAL = "modelendpointpolicies";
export const SINGULAR = "modelendpointpolicy";
export const SHORT_NAMES = ["mep"] as const;

/** Annotation a model Deployment carries to opt in: its value is the policy name. */
export const POLICY_ANNOTATION = "modelguard.dev/policy";
/** Labels on every generated object; the operator prunes by them. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "modelguard";
export const POLICY_LABEL = "modelguard.dev/policy";
export const TARGET_LABEL = "modelguard.dev/target";
/** Marks ConfigMaps holding descriptors for Envoy's ratelimit service. */
export const RATELIMIT_CONFIG_LABEL = "modelguard.dev/ratelimit-config";

/** Headers the filter sets (overwriting anything a client sent) for global rate limiting. */
export const CLIENT_HEADER = "x-modelguard-client";
export const TIER_HEADER = "x-modelguard-tier";
