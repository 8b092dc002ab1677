// The ModelEndpointPolicy the kind end-to-end run applies: the filter-in-Envoy test policy
// (test/envoy/cases.ts) plus `callers`, so the mesh identity check runs too.
import { API_VERSION, KIND } from "../../operator/src/api/constants.js";
import { policySpec } from "../envoy/cases.js";
import { CALLER_ACCOUNT, CLIENT_NAMESPACE, MODEL_NAMESPACE, POLICY_NAME, principalOf } from "./names.js";

export function e2ePolicy(jwks: string): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: POLICY_NAME, namespace: MODEL_NAMESPACE },
    spec: { ...policySpec(jwks), callers: { principals: [principalOf(CLIENT_NAMESPACE, CALLER_ACCOUNT)] } },
  };
}
