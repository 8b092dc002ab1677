import { filterConfigSchema, type FilterConfig } from "../api/filter-config.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";
import { detectionParts } from "./detection.js";
import { buildFilterConfig } from "./filter-config.js";
import type { TranslateInput } from "./inputs.js";
import { buildAuthorizationPolicy } from "./istio/authorization-policy.js";
import { buildPeerAuthentication } from "./istio/peer-authentication.js";
import { buildRequestAuthentication } from "./istio/request-authentication.js";
import { buildWasmPlugin } from "./istio/wasm-plugin.js";
import type { KubeObject } from "./metadata.js";
import { buildRateLimitConfigMap } from "./ratelimit/config-map.js";
import { buildRateLimitEnvoyFilter } from "./ratelimit/envoy-filter.js";
import { resolvePolicy } from "./resolve.js";

export interface Translation {
  /** False when any diagnostic is an error: then `objects` is empty and nothing may be applied. */
  accepted: boolean;
  diagnostics: Diagnostic[];
  /** Deployments protected, in name order. */
  targets: string[];
  /** Desired objects in a fixed order: per target PeerAuthentication, RequestAuthentication,
   *  AuthorizationPolicy, WasmPlugin, EnvoyFilter; then the policy-wide ConfigMap. */
  objects: KubeObject[];
  filterConfig?: FilterConfig;
}

/** Policy + Deployments + Secrets → the Istio and rate-limit objects that enforce it. Pure. */
export function translate(input: TranslateInput): Translation {
  const { policy, diagnostics } = resolvePolicy(input.policy, input.deployments, input.secrets);
  if (!policy || hasErrors(diagnostics)) {
    return { accepted: false, diagnostics, targets: policy?.targets.map((t) => t.name) ?? [], objects: [] };
  }
  const detection = detectionParts(policy, input.detector, input.restrictions);
  diagnostics.push(...detection.diagnostics);
  const filterConfig: FilterConfig = {
    ...buildFilterConfig(policy),
    ...(detection.detector ? { detector: detection.detector } : {}),
    ...(detection.restrictions ? { restrictions: detection.restrictions } : {}),
  };
  // The filter fails closed on a config it cannot read: catch a mismatch here, not in the sidecar.
  filterConfigSchema.parse(filterConfig);
  const objects: KubeObject[] = [];
  for (const target of policy.targets) {
    const perTarget = [
      buildPeerAuthentication(policy, target),
      buildRequestAuthentication(policy, target),
      buildAuthorizationPolicy(policy, target),
      buildWasmPlugin(policy, target, input.wasm, filterConfig),
      buildRateLimitEnvoyFilter(policy, target),
    ];
    for (const o of perTarget) if (o) objects.push(o);
  }
  const cm = policy.targets.length > 0 ? buildRateLimitConfigMap(policy) : undefined;
  if (cm) objects.push(cm);
  return { accepted: true, diagnostics, targets: policy.targets.map((t) => t.name), objects, filterConfig };
}
