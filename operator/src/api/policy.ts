import { z } from "zod";
import { withRules } from "./cel-rule.js";
import { list } from "./common.js";
import { API_VERSION, KIND } from "./constants.js";
import { accessRuleSchema, quotaTiersRule, tierSchema } from "./policy-access.js";
import { authenticationSchema, callersSchema, identitySchema, mtlsSchema, revocationSchema } from "./policy-auth.js";
import { payloadSchema } from "./policy-payload.js";
import { auditSchema, detectionSchema, extractionSchema, rateLimitSchema, responseSchema } from "./policy-protection.js";
import { conditionSchema } from "./condition.js";

const mapList = (key: string) => ({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": [key] });

const tierNames = (s: { tiers?: { name: string }[] }) => new Set((s.tiers ?? []).map((t) => t.name));

export const policySpecSchema = withRules(
  z
    .object({
      protocol: z
        .enum(["Auto", "OpenAI", "KServeV1", "OIPV2"])
        .default("Auto")
        .describe(
          "Inference protocol, which decides where the model name is read: OpenAI (`model` field of the JSON body), KServeV1 (`/v1/models/<m>:predict`), OIPV2 (`/v2/models/<m>[/versions/<v>]/infer`), or Auto (path first, then body). Default Auto.",
        ),
      mtls: mtlsSchema.prefault({}),
      callers: callersSchema.optional(),
      authentication: authenticationSchema,
      identity: identitySchema.prefault({}),
      revocation: revocationSchema.optional(),
      tiers: list(tierSchema, 16, "Service tiers and their per-client quotas.").min(1).meta(mapList("name")),
      rules: list(accessRuleSchema, 64, "Access rules: model × tier × scope × method × path.").min(1),
      payload: payloadSchema.prefault({}),
      extraction: extractionSchema.optional(),
      detection: detectionSchema.optional(),
      response: responseSchema.optional(),
      rateLimit: rateLimitSchema.optional(),
      maxTrackedClients: z
        .number()
        .int()
        .gte(1024)
        .lte(16_777_216)
        .optional()
        .describe(
          "How many clients each pod keeps quota and extraction state for (a few hundred bytes each, in Envoy's shared data). When more are active within a quota window, the least active lose their state and start afresh (metric modelguard_clients_evicted). Default 65536.",
        ),
      failureMode: z
        .enum(["Closed", "Open"])
        .default("Closed")
        .describe("What the filter does when it cannot decide (internal error, unloadable config): Closed denies (default), Open allows and counts the error."),
      audit: auditSchema.prefault({}),
    })
    .strict()
    .describe("Desired protection for the model Deployments annotated `modelguard.dev/policy: <this policy's name>` in the same namespace."),
  [
    {
      ...quotaTiersRule,
      path: ["rules"],
      check: (s) => {
        const names = tierNames(s);
        return s.rules.every((r) => (r.tiers ?? []).every((t) => names.has(t)));
      },
    },
    {
      rule: "!has(self.identity) || !has(self.identity.defaultTier) || self.tiers.exists(t, t.name == self.identity.defaultTier)",
      message: "identity.defaultTier must name a tier defined in spec.tiers",
      fieldPath: ".identity.defaultTier",
      path: ["identity", "defaultTier"],
      check: (s) => s.identity?.defaultTier === undefined || tierNames(s).has(s.identity.defaultTier),
    },
    {
      rule: "!has(self.authentication.apiKeys) || self.authentication.apiKeys.secretRefs.all(k, self.tiers.exists(t, t.name == k.tier))",
      message: "authentication.apiKeys.secretRefs[].tier must name a tier defined in spec.tiers",
      fieldPath: ".authentication.apiKeys.secretRefs",
      path: ["authentication", "apiKeys", "secretRefs"],
      check: (s) => {
        const names = tierNames(s);
        return (s.authentication.apiKeys?.secretRefs ?? []).every((k) => names.has(k.tier));
      },
    },
  ],
);

export const policyStatusSchema = z
  .object({
    observedGeneration: z.number().int().gte(0).optional().describe("The generation of the spec this status describes."),
    conditions: list(conditionSchema, 8, "Accepted: the spec is valid and its references resolve. Programmed: every generated object is applied.")
      .optional()
      .meta(mapList("type")),
    targets: list(z.string().max(253), 256, "Names of the Deployments this policy currently protects.").optional(),
    targetCount: z.number().int().gte(0).optional().describe("Number of Deployments this policy currently protects."),
  })
  .strict()
  .describe("Observed state, written by the operator.");

const metadataSchema = z
  .object({
    name: z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
      message: "must be a lowercase RFC 1123 label of at most 63 characters (it is used as a label value)",
    }),
    namespace: z.string().min(1).max(63).optional(),
    uid: z.string().optional(),
    generation: z.number().int().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .loose();

/** A whole ModelEndpointPolicy object as read from a file or the apiserver. */
export const policySchema = z
  .object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    metadata: metadataSchema,
    spec: policySpecSchema,
    status: policyStatusSchema.optional(),
  })
  .loose();

export type PolicySpecInput = z.input<typeof policySpecSchema>;
export type PolicySpec = z.output<typeof policySpecSchema>;
export type PolicyStatus = z.output<typeof policyStatusSchema>;
export type ModelEndpointPolicy = z.output<typeof policySchema>;
