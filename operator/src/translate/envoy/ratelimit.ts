import type { ResolvedPolicy } from "../ir.js";
import { buildRateLimitActions } from "../ratelimit/descriptors.js";
import { buildRateLimitEnvoyFilter } from "../ratelimit/envoy-filter.js";

export const LOCAL_RATELIMIT_FILTER = "envoy.filters.http.local_ratelimit";
export const GLOBAL_RATELIMIT_FILTER = "envoy.filters.http.ratelimit";
export const RATELIMIT_CLUSTER = "ratelimit_service";

export interface RateLimiting {
  /** local_ratelimit then ratelimit, each when the policy asks for it. */
  filters: Record<string, unknown>[];
  /** Route-level actions producing the ratelimit service's descriptors (empty without global). */
  rateLimits: Record<string, unknown>[];
}

interface FilterPatch {
  applyTo?: string;
  patch?: { value?: { name?: string; typed_config?: Record<string, unknown> } };
}

/**
 * The same local and global rate-limit filters as the mesh's EnvoyFilter (taken from it, so the
 * two targets cannot drift), with the ratelimit service behind the cluster `ratelimit_service`
 * instead of Istio's outbound cluster.
 */
export function buildRateLimiting(policy: ResolvedPolicy): RateLimiting {
  const envoyFilter = buildRateLimitEnvoyFilter(policy, { name: "standalone", selector: {} });
  const patches = ((envoyFilter?.spec as { configPatches?: FilterPatch[] } | undefined)?.configPatches ?? []).filter(
    (p) => p.applyTo === "HTTP_FILTER",
  );
  const filters: Record<string, unknown>[] = [];
  let global = false;
  for (const p of patches) {
    const value = p.patch?.value;
    if (value?.name === LOCAL_RATELIMIT_FILTER) {
      filters.push({ name: value.name, typed_config: value.typed_config });
    } else if (value?.name === GLOBAL_RATELIMIT_FILTER) {
      global = true;
      filters.push({
        name: value.name,
        typed_config: {
          ...value.typed_config,
          rate_limit_service: { transport_api_version: "V3", grpc_service: { envoy_grpc: { cluster_name: RATELIMIT_CLUSTER } } },
        },
      });
    }
  }
  return { filters, rateLimits: global ? buildRateLimitActions(policy) : [] };
}
