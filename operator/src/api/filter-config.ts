import { z } from "zod";

/**
 * The JSON the wasm filter reads from its plugin configuration. The translator produces it from a
 * policy; the filter parses it once per VM and fails closed if it does not match. Field names are
 * explicit rather than short: the config is read once, and it is what operators see in a WasmPlugin.
 */
export const FILTER_CONFIG_VERSION = 1;

const nonNeg = z.number().int().gte(0);
const pos = z.number().int().gt(0);

export const filterTierSchema = z
  .object({
    name: z.string(),
    requestsPerSecond: pos.optional(),
    requestsPerMinute: pos.optional(),
    requestsPerHour: pos.optional(),
    requestsPerDay: pos.optional(),
    burst: pos.optional(),
    tokensPerMinute: pos.optional(),
    tokensPerDay: pos.optional(),
    maxTokensPerRequest: pos.optional(),
  })
  .strict();

export const filterRuleSchema = z
  .object({
    name: z.string(),
    models: z.array(z.string()),
    tiers: z.array(z.string()),
    scopes: z.array(z.string()),
    claims: z.array(z.object({ claim: z.string(), values: z.array(z.string()) }).strict()),
    methods: z.array(z.string()),
    paths: z.array(z.string()),
  })
  .strict();

export const filterApiKeySchema = z
  .object({
    /** Lowercase hex SHA-256 of the key; the key itself never leaves the operator. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Client identity used for quotas and audit: `<secret>/<entry>`. */
    client: z.string(),
    tier: z.string(),
  })
  .strict();

/** Where and how each VM reports per-client traffic records to the cluster-wide detector. */
export const filterDetectorSchema = z
  .object({
    /** Envoy cluster for proxy_http_call (Istio: `outbound|<port>||<host>`). */
    cluster: z.string().min(1),
    authority: z.string().min(1),
    path: z.string().startsWith("/"),
    /** Bearer token the detector checks: HMAC-SHA256 of the policy key under the operator's report key. */
    token: z.string().regex(/^[0-9a-f]{64}$/),
    flushMilliseconds: z.number().int().gte(100).lte(60_000),
    maxRecords: z.number().int().gte(1).lte(4096),
    timeoutMilliseconds: z.number().int().gte(10).lte(60_000),
  })
  .strict();

/** A throttle or block the detector (or an administrator) put on one client, with its expiry. */
export const filterRestrictionSchema = z
  .object({
    client: z.string().min(1),
    action: z.enum(["block", "throttle"]),
    requestsPerMinute: pos.optional(),
    expiresAtMs: nonNeg,
  })
  .strict();

export const filterConfigSchema = z
  .object({
    version: z.literal(FILTER_CONFIG_VERSION),
    policy: z.string().describe("<namespace>/<name> of the policy, for logs and metrics."),
    protocol: z.enum(["auto", "openai", "kserve-v1", "oip-v2"]),
    failureMode: z.enum(["closed", "open"]),
    identity: z
      .object({
        jwtMetadataNamespace: z.string(),
        jwtPayloadKey: z.string(),
        jwtEnabled: z.boolean(),
        clientIdClaim: z.string(),
        tierClaim: z.string(),
        scopeClaim: z.string(),
        defaultTier: z.string().optional(),
        apiKeyHeader: z.string().optional(),
        apiKeys: z.array(filterApiKeySchema),
        revokedJti: z.array(z.string()),
        revokedSub: z.array(z.string()),
        clientHeader: z.string().optional(),
        tierHeader: z.string().optional(),
      })
      .strict(),
    tiers: z.array(filterTierSchema),
    rules: z.array(filterRuleSchema),
    payload: z
      .object({
        maxBodyBytes: pos,
        contentTypes: z.array(z.string()),
        json: z.object({ maxDepth: pos, maxStringLength: pos, maxArrayLength: pos, maxObjectKeys: pos }).strict(),
        fields: z.array(
          z
            .object({
              path: z.string(),
              type: z.enum(["string", "number", "integer", "boolean", "array", "object"]).optional(),
              required: z.boolean(),
              minimum: z.number().optional(),
              maximum: z.number().optional(),
              maxLength: pos.optional(),
              enum: z.array(z.string()).optional(),
            })
            .strict(),
        ),
        urls: z
          .object({
            fields: z.array(z.string()),
            allowedSchemes: z.array(z.string()),
            allowedHosts: z.array(z.string()),
            denyPrivateAddresses: z.boolean(),
          })
          .strict()
          .optional(),
        images: z
          .object({
            fields: z.array(z.string()),
            formats: z.array(z.string()),
            maxDecodedBytes: pos,
            maxWidth: pos,
            maxHeight: pos,
            maxPixels: pos,
          })
          .strict()
          .optional(),
        prompts: z
          .object({ fields: z.array(z.string()), denyPatterns: z.array(z.string()), maxChars: pos.optional() })
          .strict()
          .optional(),
      })
      .strict(),
    extraction: z
      .object({
        action: z.enum(["log", "throttle", "block"]),
        windowSeconds: pos,
        minRequests: pos,
        maxRequestsPerWindow: pos,
        noveltyPercent: pos,
        sweepPercent: pos,
        scoreThreshold: pos,
        throttleRequestsPerMinute: pos.optional(),
        blockSeconds: pos,
      })
      .strict()
      .optional(),
    response: z
      .object({
        probabilityDecimals: nonNeg.optional(),
        topK: pos.optional(),
        probabilityFields: z.array(z.string()),
        stripFields: z.array(z.string()),
      })
      .strict()
      .optional(),
    audit: z.object({ allowSamplePercent: nonNeg }).strict(),
    detector: filterDetectorSchema.optional(),
    restrictions: z.array(filterRestrictionSchema).optional(),
    /** Per-client records (quota buckets, extraction state) each pod keeps for the policy; the filter's default is 65,536. */
    maxClients: z.number().int().gte(1).lte(1 << 24).optional(),
  })
  .strict();

export type FilterConfig = z.output<typeof filterConfigSchema>;
export type FilterRestriction = z.output<typeof filterRestrictionSchema>;
export type FilterDetector = z.output<typeof filterDetectorSchema>;
