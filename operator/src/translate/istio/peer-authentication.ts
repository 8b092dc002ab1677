import type { ResolvedPolicy, ResolvedTarget } from "../ir.js";
import { childMeta, type KubeObject } from "../metadata.js";
import { childName } from "../names.js";

/** mTLS for the target's pods: STRICT unless the policy asks for a migration window. */
export function buildPeerAuthentication(policy: ResolvedPolicy, target: ResolvedTarget): KubeObject {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: childMeta(policy, childName(policy.name, target.name, "mtls"), target.name),
    spec: {
      selector: { matchLabels: target.selector },
      mtls: { mode: policy.spec.mtls.mode === "Strict" ? "STRICT" : "PERMISSIVE" },
    },
  };
}
