import type { ResolvedPolicy, ResolvedTarget } from "../ir.js";
import { childMeta, type KubeObject } from "../metadata.js";
import { childName } from "../names.js";

/**
 * JWT verification in Envoy's jwt_authn. Istio stores verified claims in dynamic metadata,
 * where the filter reads them. Claims are deliberately not copied to headers
 * (outputPayloadToHeader / outputClaimToHeaders): headers can be forged on some paths.
 */
export function buildRequestAuthentication(policy: ResolvedPolicy, target: ResolvedTarget): KubeObject | undefined {
  const providers = policy.spec.authentication.jwt ?? [];
  if (providers.length === 0) return undefined;
  return {
    apiVersion: "security.istio.io/v1",
    kind: "RequestAuthentication",
    metadata: childMeta(policy, childName(policy.name, target.name, "jwt"), target.name),
    spec: {
      selector: { matchLabels: target.selector },
      jwtRules: providers.map((p) => ({
        issuer: p.issuer,
        ...(p.jwksUri !== undefined ? { jwksUri: p.jwksUri } : {}),
        ...(p.jwks !== undefined ? { jwks: p.jwks } : {}),
        ...(p.audiences && p.audiences.length > 0 ? { audiences: p.audiences } : {}),
        ...(p.fromHeaders && p.fromHeaders.length > 0
          ? { fromHeaders: p.fromHeaders.map((h) => ({ name: h.name, ...(h.prefix !== undefined ? { prefix: h.prefix } : {}) })) }
          : {}),
        forwardOriginalToken: p.forwardOriginalToken,
      })),
    },
  };
}
