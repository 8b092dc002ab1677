import type { Diagnostic } from "../diagnostics.js";
import { JWT_PAYLOAD_KEY } from "../filter-config.js";
import type { ResolvedPolicy } from "../ir.js";
import { JWT_AUTHN_FILTER } from "./jwt-authn.js";

/**
 * Envoy's RBAC filter with the request-level half of the mesh's AuthorizationPolicy: a request
 * must carry a JWT verified by one of the policy's issuers (its `iss` in jwt_authn's metadata,
 * which clients cannot write) OR the API-key header (whose value the filter checks). Missing
 * credentials get 403 here, as in the mesh. Per-model and per-tier decisions stay the filter's.
 *
 * The connection-level half (`spec.callers`: SPIFFE principals and namespaces) needs the peer
 * certificates of Istio's mutual TLS; a standalone listener has none, so it is not rendered and
 * a warning says so.
 */
export function buildRbac(policy: ResolvedPolicy): { filter: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const { callers, authentication } = policy.spec;
  const diagnostics: Diagnostic[] = [];
  if ((callers?.principals?.length ?? 0) > 0 || (callers?.namespaces?.length ?? 0) > 0) {
    diagnostics.push({
      severity: "warning",
      reason: "TargetUnsupported",
      field: "spec.callers",
      message: "mesh principals and namespaces need Istio mutual TLS; the standalone Envoy configuration does not check them",
    });
  }
  const policies: Record<string, unknown> = {};
  const issuers = [...new Set((authentication.jwt ?? []).map((p) => p.issuer))];
  if (issuers.length > 0) {
    // Dynamic metadata (the default source), written by jwt_authn only after verification.
    const ids = issuers.map((issuer) => ({
      sourced_metadata: {
        metadata_matcher: {
          filter: JWT_AUTHN_FILTER,
          path: [{ key: JWT_PAYLOAD_KEY }, { key: "iss" }],
          value: { string_match: { exact: issuer } },
        },
      },
    }));
    // Principals of one policy are ORed: any configured issuer will do.
    policies["modelguard-jwt"] = { permissions: [{ any: true }], principals: ids };
  }
  if (authentication.apiKeys) {
    policies["modelguard-api-key"] = {
      permissions: [{ any: true }],
      principals: [{ header: { name: authentication.apiKeys.header, present_match: true } }],
    };
  }
  return {
    filter: {
      name: "envoy.filters.http.rbac",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
        rules: { action: "ALLOW", policies },
      },
    },
    diagnostics,
  };
}
