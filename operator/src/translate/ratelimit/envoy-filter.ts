import type { ResolvedPolicy, ResolvedTarget } from "../ir.js";
import { childMeta, type KubeObject } from "../metadata.js";
import { childName } from "../names.js";
import { buildRateLimitActions, rateLimitDomain, windowsInUse } from "./descriptors.js";

const HCM = "envoy.filters.network.http_connection_manager";
const ROUTER = "envoy.filters.http.router";

/** Matches the inbound HTTP filter chain of the target's sidecar, just before the router. */
const beforeRouter = {
  context: "SIDECAR_INBOUND",
  listener: { filterChain: { filter: { name: HCM, subFilter: { name: ROUTER } } } },
};

/** Istio's name for the outbound cluster of `host:port`. */
const outboundCluster = (service: string) => {
  const [host, port] = service.split(":");
  return `outbound|${port}||${host}`;
};

const percent100 = (runtimeKey: string) => ({ runtime_key: runtimeKey, default_value: { numerator: 100, denominator: "HUNDRED" } });

/**
 * Envoy rate limiting for the target: a per-pod local token bucket and/or global per-client tier
 * quotas through the ratelimit service. Both sit after the wasm filter (which sets the identity
 * headers the global descriptors read) and before the router.
 */
export function buildRateLimitEnvoyFilter(policy: ResolvedPolicy, target: ResolvedTarget): KubeObject | undefined {
  const { local, global } = policy.spec.rateLimit ?? {};
  const patches: Record<string, unknown>[] = [];
  if (local) {
    patches.push({
      applyTo: "HTTP_FILTER",
      match: beforeRouter,
      patch: {
        operation: "INSERT_BEFORE",
        value: {
          name: "envoy.filters.http.local_ratelimit",
          typed_config: {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
            stat_prefix: "modelguard_local_rate_limit",
            token_bucket: { max_tokens: local.burst ?? local.requestsPerSecond, tokens_per_fill: local.requestsPerSecond, fill_interval: "1s" },
            filter_enabled: percent100("modelguard_local_rate_limit_enabled"),
            filter_enforced: percent100("modelguard_local_rate_limit_enforced"),
            response_headers_to_add: [
              { append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: "x-modelguard-reason", value: "local_rate_limited" } },
            ],
          },
        },
      },
    });
  }
  if (global && windowsInUse(policy).length > 0) {
    patches.push({
      applyTo: "HTTP_FILTER",
      match: beforeRouter,
      patch: {
        operation: "INSERT_BEFORE",
        value: {
          name: "envoy.filters.http.ratelimit",
          typed_config: {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
            domain: rateLimitDomain(policy),
            failure_mode_deny: global.failureMode === "Closed",
            timeout: "0.25s",
            enable_x_ratelimit_headers: "DRAFT_VERSION_03",
            rate_limit_service: {
              transport_api_version: "V3",
              grpc_service: { envoy_grpc: { cluster_name: outboundCluster(global.service) } },
            },
          },
        },
      },
    });
    patches.push({
      applyTo: "VIRTUAL_HOST",
      match: { context: "SIDECAR_INBOUND" },
      patch: { operation: "MERGE", value: { rate_limits: buildRateLimitActions(policy) } },
    });
  }
  if (patches.length === 0) return undefined;
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: childMeta(policy, childName(policy.name, target.name, "ratelimit"), target.name),
    spec: { workloadSelector: { labels: target.selector }, configPatches: patches },
  };
}
