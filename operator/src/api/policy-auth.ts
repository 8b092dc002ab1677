import { z } from "zod";
import { withRules } from "./cel-rule.js";
import { dnsLabel, list, secretRef } from "./common.js";

/** Who may open a connection to the model (mesh identities), enforced by AuthorizationPolicy. */
export const callersSchema = z
  .object({
    principals: list(
      z.string().min(1).max(253).regex(/^[^\s]+$/, { message: "must not contain whitespace" }),
      64,
      "SPIFFE principals allowed to call the model, in Istio form `<trust-domain>/ns/<namespace>/sa/<service-account>`; `*` works as a prefix or suffix wildcard. Empty: any authenticated mesh identity.",
    ).optional(),
    namespaces: list(dnsLabel("A namespace."), 64, "Namespaces whose workloads may call the model. Empty: any namespace.").optional(),
  })
  .strict()
  .describe("Mesh callers allowed to reach the model. When both lists are empty, any caller with a verified mTLS identity may connect (requests must still authenticate).");

export const mtlsSchema = z
  .object({
    mode: z
      .enum(["Strict", "Permissive"])
      .default("Strict")
      .describe("Strict (default) accepts only mutual-TLS traffic; Permissive also accepts plaintext, for migrations only."),
  })
  .strict()
  .describe("Mutual TLS for connections to the model pods (PeerAuthentication).");

const headerSource = z
  .object({
    name: z.string().min(1).max(128).regex(/^[A-Za-z0-9-]+$/, { message: "must be an HTTP header name" }).describe("Header name."),
    prefix: z.string().max(64).optional().describe("Prefix before the token, such as `Bearer `."),
  })
  .strict();

export const jwtProviderSchema = withRules(
  z
    .object({
      name: dnsLabel("Provider name, unique within the policy."),
      issuer: z.string().min(1).max(512).describe("Expected `iss` claim."),
      jwksUri: z
        .string()
        .max(2048)
        .regex(/^https?:\/\/[^\s]+$/, { message: "must be an http(s) URL" })
        .optional()
        .describe("URL of the issuer's JSON Web Key Set. Exactly one of jwksUri and jwks is required."),
      jwks: z.string().min(1).max(65536).optional().describe("Inline JSON Web Key Set (public keys only)."),
      audiences: list(z.string().min(1).max(512), 16, "Accepted `aud` values. Empty: any audience.").optional(),
      fromHeaders: list(headerSource, 4, "Where the token is read from. Default: `Authorization: Bearer <token>`.").optional(),
      forwardOriginalToken: z.boolean().default(false).describe("Forward the token to the model. Default false."),
    })
    .strict()
    .describe("A JWT issuer. Envoy verifies signatures and time claims; the filter reads verified claims only."),
  [
    {
      rule: "has(self.jwksUri) != has(self.jwks)",
      message: "exactly one of jwksUri and jwks must be set",
      check: (p) => (p.jwksUri !== undefined) !== (p.jwks !== undefined),
    },
  ],
);

export const apiKeySourceSchema = secretRef(
  "A Secret whose every data entry is one API key: the entry's key names the client, the value is the key. Keys are hashed with SHA-256 before they reach the data plane.",
).extend({
  tier: dnsLabel("Tier given to clients authenticated by a key from this Secret."),
});

export const apiKeysSchema = z
  .object({
    header: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[a-z0-9-]+$/, { message: "must be a lowercase HTTP header name" })
      .default("x-api-key")
      .describe("Request header carrying the API key. Default `x-api-key`."),
    secretRefs: list(apiKeySourceSchema, 16, "Secrets holding the keys.").min(1),
  })
  .strict()
  .describe("API keys as an alternative to JWTs; never written inline in the policy.");

export const authenticationSchema = withRules(
  z
    .object({
      jwt: list(jwtProviderSchema, 8, "JWT issuers.").optional(),
      apiKeys: apiKeysSchema.optional(),
    })
    .strict()
    .describe("How clients prove who they are. At least one method is required: every request is authenticated."),
  [
    {
      rule: "(has(self.jwt) && size(self.jwt) > 0) || has(self.apiKeys)",
      message: "at least one of jwt and apiKeys must be configured",
      check: (a) => (a.jwt?.length ?? 0) > 0 || a.apiKeys !== undefined,
    },
    {
      rule: "!has(self.jwt) || self.jwt.all(p, self.jwt.exists_one(q, q.name == p.name))",
      message: "jwt provider names must be unique",
      fieldPath: ".jwt",
      path: ["jwt"],
      check: (a) => new Set((a.jwt ?? []).map((p) => p.name)).size === (a.jwt ?? []).length,
    },
  ],
);

export const identitySchema = z
  .object({
    clientIdClaim: z.string().min(1).max(128).default("sub").describe("JWT claim that identifies the client for quotas and audit. Default `sub`."),
    tierClaim: z.string().min(1).max(128).default("tier").describe("JWT claim holding the client's tier name. Default `tier`."),
    scopeClaim: z
      .string()
      .min(1)
      .max(128)
      .default("scope")
      .describe("JWT claim holding scopes, as a space-separated string or a list. Default `scope`."),
    defaultTier: dnsLabel("Tier for JWT clients whose token has no tier claim. Unset: such requests are denied.").optional(),
  })
  .strict()
  .describe("How verified claims map to a client, a tier and scopes.");

export const revocationSchema = z
  .object({
    secretRef: secretRef(
      "Secret with optional entries `jti` and `sub`, each a newline-separated list of revoked token IDs or subjects. Changes reach the filter without a restart.",
    ),
  })
  .strict()
  .describe("Revoked tokens and subjects, denied even while their tokens are valid.");
