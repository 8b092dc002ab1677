import { z } from "zod";
import { withRules } from "./cel-rule.js";
import { fieldPath, list, positiveInt } from "./common.js";

export const extractionSchema = withRules(
  z
    .object({
      action: z
        .enum(["Log", "Throttle", "Block"])
        .default("Log")
        .describe("What happens to a client whose score crosses the threshold: Log (audit and metric only, default), Throttle (apply throttleRequestsPerMinute) or Block (deny for blockSeconds)."),
      windowSeconds: positiveInt("Sliding window over which per-client signals are computed. Default 300.", 86400).default(300),
      minRequests: positiveInt("Requests a client must make in the window before it is scored. Default 50.", 1_000_000).default(50),
      maxRequestsPerWindow: positiveInt("Request count at which the rate signal saturates. Default 1000.").default(1000),
      noveltyPercent: z.number().int().gte(1).lte(100).default(95).describe("Share of never-seen inputs in the window at which the novelty signal saturates. Default 95."),
      sweepPercent: z.number().int().gte(1).lte(100).default(80).describe("Share of requests that are small edits of the previous one at which the sweep signal saturates. Default 80."),
      scoreThreshold: z.number().int().gte(1).lte(100).default(70).describe("Combined score (0-100) at which the action fires. Default 70."),
      throttleRequestsPerMinute: positiveInt("Rate a throttled client is held to.").optional(),
      blockSeconds: positiveInt("How long a blocked client stays blocked. Default 600.", 604800).default(600),
    })
    .strict()
    .describe("Model-extraction detection: per-client rate, input novelty and parameter sweeps, scored in the filter."),
  [
    {
      rule: "self.action != 'Throttle' || has(self.throttleRequestsPerMinute)",
      message: "throttleRequestsPerMinute is required when action is Throttle",
      fieldPath: ".throttleRequestsPerMinute",
      path: ["throttleRequestsPerMinute"],
      check: (e) => e.action !== "Throttle" || e.throttleRequestsPerMinute !== undefined,
    },
  ],
);

export const detectionSchema = z
  .object({
    maxAction: z
      .enum(["Alert", "Throttle", "Block"])
      .default("Throttle")
      .describe("The strongest automated response the detector may take for this policy: Alert (Event and metric only), Throttle (default: a ClientRestriction holding the client to throttleRequestsPerMinute) or Block (a ClientRestriction denying the client)."),
    throttleRequestsPerMinute: positiveInt("Rate a throttled client is held to. Default 6.", 100_000).default(6),
    throttleSeconds: positiveInt("How long a detector throttle lasts. Default 900.", 604800).default(900),
    blockSeconds: positiveInt("How long a detector block lasts. Default 3600.", 604800).default(3600),
  })
  .strict()
  .describe("Cluster-wide extraction detection: every sidecar reports per-client traffic records to the operator's detector, which scores clients across all pods against the model's learned baseline and answers by severity with ClientRestriction objects that expire.");

export const responseSchema = z
  .object({
    probabilityDecimals: z.number().int().gte(0).lte(6).optional().describe("Round probabilities to this many decimals."),
    topK: positiveInt("Keep only the k highest probabilities per prediction.", 1000).optional(),
    probabilityFields: list(
      fieldPath("A field holding probabilities: an array of numbers or an object of class → number."),
      16,
      "Where probabilities are. Default by protocol: `predictions[*]` (KServe v1), `outputs[*].data` (OIP v2).",
    ).optional(),
    stripFields: list(fieldPath("A field to remove, such as `choices[*].logprobs`."), 32, "Fields removed from responses.").optional(),
  })
  .strict()
  .describe("Response hardening against model extraction.");

export const localRateLimitSchema = z
  .object({
    requestsPerSecond: positiveInt("Requests per second one pod accepts from all clients together."),
    burst: positiveInt("Bucket size. Default: requestsPerSecond.").optional(),
  })
  .strict()
  .describe("A per-pod ceiling for all traffic (Envoy local rate limit), protecting the model from overload.");

export const globalRateLimitSchema = z
  .object({
    service: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, { message: "must be host:port" })
      .default("modelguard-ratelimit.modelguard-system.svc.cluster.local:8081")
      .describe("gRPC address of Envoy's ratelimit service. Default `modelguard-ratelimit.modelguard-system.svc.cluster.local:8081`."),
    failureMode: z
      .enum(["Closed", "Open"])
      .default("Closed")
      .describe("Closed (default) denies requests when the ratelimit service cannot be reached; Open lets them through."),
  })
  .strict()
  .describe("Tier quotas enforced across all replicas by Envoy's ratelimit service (requests per second/minute/hour/day; bursts are per pod only).");

export const rateLimitSchema = z
  .object({
    local: localRateLimitSchema.optional(),
    global: globalRateLimitSchema.optional(),
  })
  .strict()
  .describe("Rate limiting in Envoy, besides the per-pod tier quotas the filter always enforces.");

export const auditSchema = z
  .object({
    allowSamplePercent: z.number().int().gte(0).lte(100).default(1).describe("Percent of allowed requests that get an audit line; denials always do. Default 1."),
  })
  .strict()
  .describe("Audit logging. Lines never contain tokens, keys or bodies.");

