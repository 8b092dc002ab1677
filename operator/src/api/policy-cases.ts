import { formatFieldError, toFieldErrors } from "./field-errors.js";
import { policySchema } from "./policy.js";

// Policies with known problems and the exact field errors each must produce. Shared by the
// offline schema tests and the tests against a real kube-apiserver (which runs the CEL rules).
/** A valid policy; each case patches one part of it. */
export const basePolicy = () => ({
  apiVersion: "modelguard.dev/v1alpha1",
  kind: "ModelEndpointPolicy",
  metadata: { name: "p", namespace: "ns" },
  spec: {
    authentication: { jwt: [{ name: "idp", issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/jwks" }] },
    tiers: [
      { name: "free", requestsPerMinute: 10 },
      { name: "pro", requestsPerSecond: 5, burst: 10 },
    ],
    rules: [{ models: ["*"] }],
  },
});

export type Spec = Record<string, unknown>;
export const withSpec = (patch: (s: Spec) => void) => {
  const p = basePolicy();
  patch(p.spec as Spec);
  return p;
};

export const INVALID_POLICIES: [string, unknown, string[]][] = [
  ["tier with zero rate", withSpec((s) => ((s.tiers as Spec[])[1] = { name: "pro", requestsPerMinute: 0 })), [
    "spec.tiers[1].requestsPerMinute: must be greater than 0",
  ]],
  ["fractional rate", withSpec((s) => ((s.tiers as Spec[])[0] = { name: "free", requestsPerMinute: 1.5 })), [
    "spec.tiers[0].requestsPerMinute: must be an integer",
  ]],
  ["no tiers", withSpec((s) => (s.tiers = [])), ["spec.tiers: must have at least 1 item"]],
  ["missing rules", withSpec((s) => delete s.rules), ["spec.rules: is required"]],
  ["unknown field", withSpec((s) => (s.tier = [])), ['spec: unknown field "tier"']],
  ["bad enum", withSpec((s) => (s.mtls = { mode: "STRICT" })), ['spec.mtls.mode: must be one of "Strict", "Permissive"']],
  ["bad tier name", withSpec((s) => ((s.tiers as Spec[])[0] = { name: "Free Tier" })), [
    "spec.tiers[0].name: must be a lowercase RFC 1123 label (a-z, 0-9, '-')",
  ]],
  ["no authentication method", withSpec((s) => (s.authentication = {})), [
    "spec.authentication: at least one of jwt and apiKeys must be configured",
  ]],
  ["jwks and jwksUri both", withSpec((s) => (s.authentication = { jwt: [{ name: "a", issuer: "i", jwks: "{}", jwksUri: "https://x/j" }] })), [
    "spec.authentication.jwt[0]: exactly one of jwksUri and jwks must be set",
  ]],
  ["duplicate provider names", withSpec((s) => (s.authentication = {
    jwt: [{ name: "a", issuer: "i", jwks: "{}" }, { name: "a", issuer: "j", jwks: "{}" }],
  })), ["spec.authentication.jwt: jwt provider names must be unique"]],
  ["rule names undefined tier", withSpec((s) => (s.rules = [{ models: ["*"], tiers: ["gold"] }])), [
    "spec.rules: rules[].tiers must name tiers defined in spec.tiers",
  ]],
  ["default tier undefined", withSpec((s) => (s.identity = { defaultTier: "gold" })), [
    "spec.identity.defaultTier: identity.defaultTier must name a tier defined in spec.tiers",
  ]],
  ["API key tier undefined", withSpec((s) => (s.authentication = { apiKeys: { secretRefs: [{ name: "k", tier: "gold" }] } })), [
    "spec.authentication.apiKeys.secretRefs: authentication.apiKeys.secretRefs[].tier must name a tier defined in spec.tiers",
  ]],
  ["burst without a rate", withSpec((s) => ((s.tiers as Spec[])[0] = { name: "free", burst: 3 })), [
    "spec.tiers[0].burst: burst needs at least one requestsPer* limit",
  ]],
  ["token budgets inverted", withSpec((s) => ((s.tiers as Spec[])[0] = { name: "free", tokensPerMinute: 10, tokensPerDay: 5 })), [
    "spec.tiers[0].tokensPerMinute: tokensPerMinute must not exceed tokensPerDay",
  ]],
  ["minimum above maximum", withSpec((s) => (s.payload = { fields: [{ path: "t", minimum: 2, maximum: 1 }] })), [
    "spec.payload.fields[0].minimum: minimum must not exceed maximum",
  ]],
  ["bad field path", withSpec((s) => (s.payload = { fields: [{ path: "messages[].content" }] })), [
    "spec.payload.fields[0].path: must be a field path such as `messages[*].content` or `instances[0].image_url`",
  ]],
  ["throttle without a rate", withSpec((s) => (s.extraction = { action: "Throttle" })), [
    "spec.extraction.throttleRequestsPerMinute: throttleRequestsPerMinute is required when action is Throttle",
  ]],
  ["body limit too large", withSpec((s) => (s.payload = { maxBodyBytes: 1 << 30 })), [
    "spec.payload.maxBodyBytes: must be less than or equal to 67108864",
  ]],
  ["percent out of range", withSpec((s) => (s.audit = { allowSamplePercent: 101 })), [
    "spec.audit.allowSamplePercent: must be less than or equal to 100",
  ]],
  ["non-https scheme", withSpec((s) => (s.payload = { urls: { fields: ["u"], allowedSchemes: ["ftp"] } })), [
    'spec.payload.urls.allowedSchemes[0]: must be one of "https", "http"',
  ]],
  ["bad media type", withSpec((s) => (s.payload = { contentTypes: ["json"] })), [
    "spec.payload.contentTypes[0]: must be a media type such as application/json",
  ]],
  ["global rate limit service without port", withSpec((s) => (s.rateLimit = { global: { service: "rls.svc" } })), [
    "spec.rateLimit.global.service: must be host:port",
  ]],
  ["name too long for a label", { ...basePolicy(), metadata: { name: "x".repeat(64) } }, [
    "metadata.name: must be at most 63 characters long",
  ]],
  ["wrong apiVersion", { ...basePolicy(), apiVersion: "modelguard.dev/v1" }, ['apiVersion: must be one of "modelguard.dev/v1alpha1"']],
  ["several problems at once, all reported", withSpec((s) => {
    s.protocol = "GRPC";
    (s.tiers as Spec[])[1] = { name: "pro", requestsPerMinute: -1 };
    s.rules = [{ models: [], tiers: ["gold"] }];
  }), [
    'spec.protocol: must be one of "Auto", "OpenAI", "KServeV1", "OIPV2"',
    "spec.tiers[1].requestsPerMinute: must be greater than 0",
    "spec.rules[0].models: must have at least 1 item",
    "spec.rules: rules[].tiers must name tiers defined in spec.tiers",
  ]],
];


export const fieldErrorsOf = (input: unknown) => {
  const r = policySchema.safeParse(input);
  return r.success ? [] : toFieldErrors(r.error).map(formatFieldError);
};
