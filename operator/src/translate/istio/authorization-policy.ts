import type { ResolvedPolicy, ResolvedTarget } from "../ir.js";
import { childMeta, type KubeObject } from "../metadata.js";
import { childName } from "../names.js";

type Source = Record<string, string[]>;

/**
 * Coarse admission in Envoy's RBAC filter, before the wasm filter sees the request: the caller
 * must be an allowed mesh identity AND present either a verified JWT from a configured issuer
 * (missing token → 403 here; bad token → 401 from jwt_authn) or an API-key header (the filter
 * verifies the key). Per-model, per-tier decisions are the filter's.
 */
export function buildAuthorizationPolicy(policy: ResolvedPolicy, target: ResolvedTarget): KubeObject {
  const { callers, authentication } = policy.spec;
  const peers = callerSources(callers?.principals ?? [], callers?.namespaces ?? []);
  const rules: Record<string, unknown>[] = [];
  const issuers = [...new Set((authentication.jwt ?? []).map((p) => `${p.issuer}/*`))];
  if (issuers.length > 0) {
    rules.push({ from: peers.map((s) => ({ source: { ...s, requestPrincipals: issuers } })) });
  }
  if (authentication.apiKeys) {
    rules.push({
      from: peers.map((s) => ({ source: s })),
      // "*" is Istio's presence match: the header must be there; its value is checked by the filter.
      when: [{ key: `request.headers[${authentication.apiKeys.header}]`, values: ["*"] }],
    });
  }
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: childMeta(policy, childName(policy.name, target.name, "authz"), target.name),
    spec: {
      selector: { matchLabels: target.selector },
      action: "ALLOW",
      rules: rules.map(dropEmptyFrom),
    },
  };
}

/** Sources are ORed and fields inside one source ANDed, so principals and namespaces get one source each. */
function callerSources(principals: string[], namespaces: string[]): Source[] {
  const out: Source[] = [];
  if (principals.length > 0) out.push({ principals });
  if (namespaces.length > 0) out.push({ namespaces });
  return out.length > 0 ? out : [{}];
}

function dropEmptyFrom(rule: Record<string, unknown>): Record<string, unknown> {
  const from = rule.from as { source: Source }[];
  const meaningful = from.filter((f) => Object.keys(f.source).length > 0);
  const { from: _drop, ...rest } = rule;
  return meaningful.length > 0 ? { from: meaningful, ...rest } : rest;
}
