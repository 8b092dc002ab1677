import type { ResolvedPolicy } from "../ir.js";
import { JWT_METADATA_NAMESPACE, JWT_PAYLOAD_KEY } from "../filter-config.js";
import { endpointCluster } from "./clusters.js";

/** jwt_authn writes verified payloads into dynamic metadata under its own filter name. */
export const JWT_AUTHN_FILTER = JWT_METADATA_NAMESPACE;

/** Name of the cluster serving a provider's remote JWKS. */
export const jwksClusterName = (provider: string) => `jwks_${provider}`;

export interface JwtAuthn {
  /** The HTTP filter entry, or undefined when the policy has no JWT providers. */
  filter?: Record<string, unknown>;
  /** One cluster per provider with a jwksUri. */
  clusters: Record<string, unknown>[];
}

/**
 * Envoy's jwt_authn, configured the way Istio configures it from a RequestAuthentication: one
 * provider per policy issuer that stores the verified payload in dynamic metadata
 * (`payload_in_metadata: payload`, where the filter reads claims) and never copies claims into
 * headers. The single rule accepts a token from any provider or no token at all: an invalid
 * token is answered 401 here, a missing one is left to RBAC and the filter.
 */
export function buildJwtAuthn(policy: ResolvedPolicy, caFile: string): JwtAuthn {
  const jwt = policy.spec.authentication.jwt ?? [];
  if (jwt.length === 0) return { clusters: [] };
  const providers: Record<string, unknown> = {};
  const clusters: Record<string, unknown>[] = [];
  for (const p of jwt) {
    let jwks: Record<string, unknown>;
    if (p.jwksUri !== undefined) {
      const url = new URL(p.jwksUri);
      const https = url.protocol === "https:";
      const port = url.port !== "" ? Number(url.port) : https ? 443 : 80;
      clusters.push(endpointCluster(jwksClusterName(p.name), { host: url.hostname, port }, { logicalDns: true, ...(https ? { tlsCaFile: caFile } : {}) }));
      jwks = {
        remote_jwks: {
          http_uri: { uri: p.jwksUri, cluster: jwksClusterName(p.name), timeout: "5s" },
          cache_duration: "600s",
          // Fetch when the listener starts (and on expiry), not on the first request.
          async_fetch: {},
          retry_policy: { num_retries: 3 },
        },
      };
    } else {
      jwks = { local_jwks: { inline_string: p.jwks ?? "" } };
    }
    providers[p.name] = {
      issuer: p.issuer,
      ...(p.audiences && p.audiences.length > 0 ? { audiences: p.audiences } : {}),
      ...jwks,
      ...(p.fromHeaders && p.fromHeaders.length > 0
        ? { from_headers: p.fromHeaders.map((h) => ({ name: h.name, ...(h.prefix !== undefined ? { value_prefix: h.prefix } : {}) })) }
        : {}),
      forward: p.forwardOriginalToken,
      payload_in_metadata: JWT_PAYLOAD_KEY,
    };
  }
  return {
    filter: {
      name: JWT_AUTHN_FILTER,
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        providers,
        rules: [
          {
            match: { prefix: "/" },
            requires: { requires_any: { requirements: [...jwt.map((p) => ({ provider_name: p.name })), { allow_missing: {} }] } },
          },
        ],
      },
    },
    clusters,
  };
}
