import type { FilterConfig } from "../../api/filter-config.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ResolvedPolicy } from "../ir.js";
import { endpointCluster, parseHostPort, type HostPort } from "./clusters.js";
import { buildJwtAuthn } from "./jwt-authn.js";
import { buildRateLimiting, RATELIMIT_CLUSTER } from "./ratelimit.js";
import { buildRbac } from "./rbac.js";
import { buildWasmFilter } from "./wasm.js";

/** An Envoy v3 bootstrap as plain data (the YAML/JSON form of envoy.config.bootstrap.v3.Bootstrap). */
export type EnvoyBootstrap = Record<string, unknown>;

export const LISTENER_NAME = "modelguard";
export const MODEL_CLUSTER = "model";
export const DEFAULT_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";

export interface EnvoyTargetOptions {
  /** Address the listener binds (default 0.0.0.0). */
  listenerAddress?: string;
  listenerPort: number;
  /** The model server behind Envoy. */
  upstream: HostPort;
  /** Path of modelguard.wasm as Envoy will see it. */
  wasmFile: string;
  /** Envoy's admin interface (/stats/prometheus); none when absent. */
  admin?: { address: string; port: number };
  /** Envoy's ratelimit service (gRPC); default: the policy's spec.rateLimit.global.service. */
  rateLimitService?: HostPort;
  /** CA bundle for https JWKS endpoints (default the Debian/Ubuntu bundle). */
  caFile?: string;
}

export interface EnvoyBootstrapResult {
  bootstrap: EnvoyBootstrap;
  /** Parts of the policy this target cannot enforce (warnings). */
  diagnostics: Diagnostic[];
}

const HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

/**
 * A complete Envoy bootstrap enforcing a policy without Istio: listener → jwt_authn → RBAC →
 * the ModelGuard filter → local_ratelimit → ratelimit → router → the model. Filter order is
 * decided here and nowhere else. Pure; key order is fixed, so output is byte-stable.
 *
 * Not rendered, because a standalone listener has no mesh: mutual TLS (terminate TLS in front
 * of Envoy or add a transport socket) and `spec.callers` (see buildRbac).
 */
export function buildEnvoyBootstrap(policy: ResolvedPolicy, filterConfig: FilterConfig, opts: EnvoyTargetOptions): EnvoyBootstrapResult {
  const caFile = opts.caFile ?? DEFAULT_CA_FILE;
  const jwt = buildJwtAuthn(policy, caFile);
  const rbac = buildRbac(policy);
  const rateLimiting = buildRateLimiting(policy);
  const diagnostics = [...rbac.diagnostics];

  const httpFilters = [
    ...(jwt.filter ? [jwt.filter] : []),
    rbac.filter,
    buildWasmFilter(policy, filterConfig, opts.wasmFile),
    ...rateLimiting.filters,
    { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } },
  ];

  const clusters = [endpointCluster(MODEL_CLUSTER, opts.upstream), ...jwt.clusters];
  if (rateLimiting.rateLimits.length > 0) {
    const service = opts.rateLimitService ?? parseHostPort(policy.spec.rateLimit?.global?.service ?? "");
    // The schema only admits host:port; a value parseHostPort refuses is a bug, not bad input.
    if (!service) throw new Error(`unusable ratelimit service address ${JSON.stringify(policy.spec.rateLimit?.global?.service)}`);
    clusters.push(endpointCluster(RATELIMIT_CLUSTER, service, { http2: true }));
  }

  const connectionManager = {
    "@type": HCM_TYPE,
    stat_prefix: LISTENER_NAME,
    codec_type: "AUTO",
    // Envoy is the edge here: it appends the peer address to x-forwarded-for instead of trusting it.
    use_remote_address: true,
    // Istio's default path normalisation (DECODE_AND_MERGE_SLASHES), so path rules see one spelling.
    normalize_path: true,
    merge_slashes: true,
    path_with_escaped_slashes_action: "UNESCAPE_AND_REDIRECT",
    route_config: {
      name: LISTENER_NAME,
      virtual_hosts: [
        {
          name: "model",
          domains: ["*"],
          routes: [
            {
              match: { prefix: "/" },
              // No route timeout, as on Istio's inbound path: completions can stream for minutes.
              route: { cluster: MODEL_CLUSTER, timeout: "0s" },
            },
          ],
          ...(rateLimiting.rateLimits.length > 0 ? { rate_limits: rateLimiting.rateLimits } : {}),
        },
      ],
    },
    http_filters: httpFilters,
  };

  const bootstrap: EnvoyBootstrap = {
    node: { id: `modelguard-${policy.namespace}-${policy.name}`, cluster: "modelguard" },
    ...(opts.admin ? { admin: { address: { socket_address: { address: opts.admin.address, port_value: opts.admin.port } } } } : {}),
    static_resources: {
      listeners: [
        {
          name: LISTENER_NAME,
          address: { socket_address: { address: opts.listenerAddress ?? "0.0.0.0", port_value: opts.listenerPort } },
          filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: connectionManager }] }],
        },
      ],
      clusters,
    },
  };
  return { bootstrap, diagnostics };
}
