import { stringify } from "yaml";
import { RATELIMIT_CONFIG_LABEL } from "../../api/constants.js";
import type { ResolvedPolicy } from "../ir.js";
import { childMeta, type KubeObject } from "../metadata.js";
import { childName } from "../names.js";
import { buildRateLimitServiceConfig } from "./descriptors.js";

/**
 * Descriptors for Envoy's ratelimit service, in the policy's namespace. The operator gathers
 * every ConfigMap with the ratelimit-config label into the service's runtime directory.
 */
export function buildRateLimitConfigMap(policy: ResolvedPolicy): KubeObject | undefined {
  if (policy.spec.rateLimit?.global === undefined) return undefined;
  const meta = childMeta(policy, childName(policy.name, "ratelimit"));
  meta.labels[RATELIMIT_CONFIG_LABEL] = "true";
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta,
    data: {
      [`${policy.namespace}.${policy.name}.yaml`]: stringify(buildRateLimitServiceConfig(policy), { lineWidth: 0 }),
    },
  };
}
