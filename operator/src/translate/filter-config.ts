import { CLIENT_HEADER, TIER_HEADER } from "../api/constants.js";
import { FILTER_CONFIG_VERSION, type FilterConfig } from "../api/filter-config.js";
import type { PolicySpec } from "../api/policy.js";
import type { ResolvedPolicy } from "./ir.js";

/** Where Istio's jwt_authn leaves verified claims (payload_in_metadata: payload). */
export const JWT_METADATA_NAMESPACE = "envoy.filters.http.jwt_authn";
export const JWT_PAYLOAD_KEY = "payload";

const PROTOCOL = { Auto: "auto", OpenAI: "openai", KServeV1: "kserve-v1", OIPV2: "oip-v2" } as const;

/** Where probabilities sit in responses, by protocol, when the policy does not say. */
const DEFAULT_PROBABILITY_FIELDS: Record<PolicySpec["protocol"], string[]> = {
  Auto: ["predictions[*]", "outputs[*].data"],
  OpenAI: [],
  KServeV1: ["predictions[*]"],
  OIPV2: ["outputs[*].data"],
};

/** The wasm filter's configuration for a resolved policy. Pure; key order is fixed. */
export function buildFilterConfig(policy: ResolvedPolicy): FilterConfig {
  const s = policy.spec;
  const globalRateLimit = s.rateLimit?.global !== undefined;
  return {
    version: FILTER_CONFIG_VERSION,
    policy: `${policy.namespace}/${policy.name}`,
    protocol: PROTOCOL[s.protocol],
    failureMode: s.failureMode === "Open" ? "open" : "closed",
    identity: {
      jwtMetadataNamespace: JWT_METADATA_NAMESPACE,
      jwtPayloadKey: JWT_PAYLOAD_KEY,
      jwtEnabled: (s.authentication.jwt ?? []).length > 0,
      clientIdClaim: s.identity.clientIdClaim,
      tierClaim: s.identity.tierClaim,
      scopeClaim: s.identity.scopeClaim,
      ...(s.identity.defaultTier !== undefined ? { defaultTier: s.identity.defaultTier } : {}),
      ...(s.authentication.apiKeys ? { apiKeyHeader: s.authentication.apiKeys.header } : {}),
      apiKeys: [...policy.apiKeys].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1)),
      revokedJti: policy.revoked.jti,
      revokedSub: policy.revoked.sub,
      // Identity headers feed the global rate-limit descriptors; the filter overwrites any client value.
      ...(globalRateLimit ? { clientHeader: CLIENT_HEADER, tierHeader: TIER_HEADER } : {}),
    },
    tiers: s.tiers.map((t) => ({ ...t })),
    rules: s.rules.map((r, i) => ({
      name: r.name ?? `rule-${i}`,
      models: r.models,
      tiers: r.tiers ?? [],
      scopes: r.requiredScopes ?? [],
      claims: (r.requiredClaims ?? []).map((c) => ({ claim: c.claim, values: c.values })),
      methods: r.methods ?? [],
      paths: r.paths ?? [],
    })),
    payload: {
      maxBodyBytes: s.payload.maxBodyBytes,
      contentTypes: s.payload.contentTypes,
      json: { ...s.payload.json },
      fields: (s.payload.fields ?? []).map((f) => ({ ...f })),
      ...(s.payload.urls
        ? {
            urls: {
              fields: s.payload.urls.fields,
              allowedSchemes: s.payload.urls.allowedSchemes,
              allowedHosts: (s.payload.urls.allowedHosts ?? []).map((h) => h.toLowerCase()),
              denyPrivateAddresses: s.payload.urls.denyPrivateAddresses,
            },
          }
        : {}),
      ...(s.payload.images ? { images: { ...s.payload.images } } : {}),
      ...(s.payload.prompts
        ? {
            prompts: {
              fields: s.payload.prompts.fields,
              denyPatterns: (s.payload.prompts.denyPatterns ?? []).map((p) => p.toLowerCase()),
              ...(s.payload.prompts.maxChars !== undefined ? { maxChars: s.payload.prompts.maxChars } : {}),
            },
          }
        : {}),
    },
    ...(s.extraction
      ? {
          extraction: {
            action: s.extraction.action === "Block" ? "block" : s.extraction.action === "Throttle" ? "throttle" : "log",
            windowSeconds: s.extraction.windowSeconds,
            minRequests: s.extraction.minRequests,
            maxRequestsPerWindow: s.extraction.maxRequestsPerWindow,
            noveltyPercent: s.extraction.noveltyPercent,
            sweepPercent: s.extraction.sweepPercent,
            scoreThreshold: s.extraction.scoreThreshold,
            ...(s.extraction.throttleRequestsPerMinute !== undefined
              ? { throttleRequestsPerMinute: s.extraction.throttleRequestsPerMinute }
              : {}),
            blockSeconds: s.extraction.blockSeconds,
          },
        }
      : {}),
    ...(s.response
      ? {
          response: {
            ...(s.response.probabilityDecimals !== undefined ? { probabilityDecimals: s.response.probabilityDecimals } : {}),
            ...(s.response.topK !== undefined ? { topK: s.response.topK } : {}),
            probabilityFields: s.response.probabilityFields ?? DEFAULT_PROBABILITY_FIELDS[s.protocol],
            stripFields: s.response.stripFields ?? [],
          },
        }
      : {}),
    audit: { allowSamplePercent: s.audit.allowSamplePercent },
    ...(s.maxTrackedClients !== undefined ? { maxClients: s.maxTrackedClients } : {}),
  };
}
