import type { PolicySpec } from "../api/policy.js";

/** A policy with defaults applied and every reference resolved. No Kubernetes I/O types. */
export interface ResolvedPolicy {
  name: string;
  namespace: string;
  /** Present when the policy came from the apiserver; children get an owner reference then. */
  uid?: string;
  spec: PolicySpec;
  targets: ResolvedTarget[];
  apiKeys: ResolvedApiKey[];
  revoked: { jti: string[]; sub: string[] };
}

export interface ResolvedTarget {
  /** Deployment name. */
  name: string;
  /** Pod labels that select exactly this Deployment's pods (its spec.selector.matchLabels). */
  selector: Record<string, string>;
}

export interface ResolvedApiKey {
  sha256: string;
  client: string;
  tier: string;
}
