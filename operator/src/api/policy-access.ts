import { z } from "zod";
import { withRules } from "./cel-rule.js";
import { dnsLabel, glob, list, positiveInt } from "./common.js";

const LIMIT_FIELDS = ["requestsPerSecond", "requestsPerMinute", "requestsPerHour", "requestsPerDay"] as const;

export const tierSchema = withRules(
  z
    .object({
      name: dnsLabel("Tier name, matched against the tier claim or an API key's tier."),
      requestsPerSecond: positiveInt("Requests per second allowed to one client.").optional(),
      requestsPerMinute: positiveInt("Requests per minute allowed to one client.").optional(),
      requestsPerHour: positiveInt("Requests per hour allowed to one client.").optional(),
      requestsPerDay: positiveInt("Requests per day allowed to one client.").optional(),
      burst: positiveInt("Bucket size of the shortest request window: how many requests a client may send at once. Default: that window's rate.").optional(),
      tokensPerMinute: positiveInt("LLM token budget per client per minute (prompt + completion, settled from the response's `usage`).").optional(),
      tokensPerDay: positiveInt("LLM token budget per client per day.").optional(),
      maxTokensPerRequest: positiveInt("Largest `max_tokens` (or `max_completion_tokens`) a request of this tier may ask for.", 10_000_000).optional(),
    })
    .strict()
    .describe("A service tier with its quotas. All limits are per client (see identity.clientIdClaim); an unset limit is unlimited."),
  [
    {
      rule: "!has(self.burst) || has(self.requestsPerSecond) || has(self.requestsPerMinute) || has(self.requestsPerHour) || has(self.requestsPerDay)",
      message: "burst needs at least one requestsPer* limit",
      fieldPath: ".burst",
      path: ["burst"],
      check: (t) => t.burst === undefined || LIMIT_FIELDS.some((f) => t[f] !== undefined),
    },
    {
      rule: "!has(self.tokensPerMinute) || !has(self.tokensPerDay) || self.tokensPerMinute <= self.tokensPerDay",
      message: "tokensPerMinute must not exceed tokensPerDay",
      fieldPath: ".tokensPerMinute",
      path: ["tokensPerMinute"],
      check: (t) => t.tokensPerMinute === undefined || t.tokensPerDay === undefined || t.tokensPerMinute <= t.tokensPerDay,
    },
  ],
);

const claimRequirement = z
  .object({
    claim: z.string().min(1).max(128).describe("Claim name; nested claims use dots, e.g. `realm_access.roles`."),
    values: list(z.string().min(1).max(256), 16, "The claim (a string or a list) must contain at least one of these.").min(1),
  })
  .strict();

export const accessRuleSchema = z
  .object({
    name: dnsLabel("Rule name, shown in audit lines.").optional(),
    models: list(glob("Model name pattern; `*` matches any run of characters.", 256), 32, "Models this rule grants.").min(1),
    tiers: list(dnsLabel("A tier name."), 16, "Tiers allowed. Empty: every tier.").optional(),
    requiredScopes: list(z.string().min(1).max(128), 16, "Scopes the client must hold, all of them.").optional(),
    requiredClaims: list(claimRequirement, 8, "Claims the client's token must carry, all of them (JWT clients only).").optional(),
    methods: list(
      z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
      7,
      "HTTP methods allowed. Empty: any method.",
    ).optional(),
    paths: list(glob("Path pattern; `*` matches any run of characters.", 512), 32, "Request paths allowed. Empty: any path.").optional(),
  })
  .strict()
  .describe("Grants access to some models. A request is allowed when any rule matches all of its conditions; no match is a 403.");

export const quotaTiersRule = {
  rule: "!has(self.rules) || !has(self.tiers) || self.rules.all(r, !has(r.tiers) || r.tiers.all(t, self.tiers.exists(x, x.name == t)))",
  message: "rules[].tiers must name tiers defined in spec.tiers",
  fieldPath: ".rules",
};
