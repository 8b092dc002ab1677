// The deny reason codes section of the API reference: every code of operator/src/api/reasons.ts
// with its HTTP status and what the filter checked. The Record type makes a new code without a
// meaning a compile error.
import { DENY_REASON_CODES, DENY_REASONS, type DenyReason } from "../api/reasons.js";
import { code, table } from "./api-docs-markdown.js";

/** Why the filter answers with each code (Markdown). */
const MEANINGS: Record<DenyReason, string> = {
  unauthenticated: "No verified identity: no API key, and no verified JWT claims in jwt_authn's metadata (or an empty client-id claim).",
  api_key_invalid: "The SHA-256 of the API-key header matches no key in the policy's key Secrets.",
  token_revoked: "The token's `jti` or `sub` is listed in the revocation Secret.",
  tier_unknown: "The client has no tier (no tier claim and no `identity.defaultTier`), or its tier is not defined in `spec.tiers`.",
  model_unknown: "No model name: the path starts like the protocol's model path but names none, or the JSON body has no `model`.",
  model_not_allowed: "No access rule matches the model.",
  tier_not_allowed: "The first rule matching the model does not list the client's tier.",
  scope_missing: "The first rule matching the model requires a scope the client's scope claim lacks.",
  claim_missing: "The first rule matching the model requires claim values the token lacks (API-key clients have no claims).",
  method_not_allowed: "The first rule matching the model does not list the HTTP method.",
  path_not_allowed: "The first rule matching the model matches none of its paths.",
  quota_exceeded: "The client used up a request quota of its tier; `Retry-After` and `x-ratelimit-*` say when to retry.",
  token_budget_exceeded: "The client used up its tier's `tokensPerMinute` or `tokensPerDay` budget.",
  max_tokens_exceeded: "The request's `max_tokens` is above the tier's `maxTokensPerRequest`.",
  body_too_large: "`Content-Length` or the streamed body is over `payload.maxBodyBytes`.",
  content_type_unsupported: "A request with a body has a media type not in `payload.contentTypes`.",
  json_malformed: "The body is not valid JSON.",
  json_too_deep: "JSON nesting is deeper than `payload.json.maxDepth`.",
  json_too_large: "A JSON string, array or object is over a `payload.json` limit.",
  field_invalid: "A `payload.fields` constraint failed (type, required, range, length, enum), or `Content-Length` or `max_tokens` is not a valid number.",
  url_scheme_denied: "A URL field's scheme is not in `payload.urls.allowedSchemes`.",
  url_host_denied: "A URL field's host matches no `payload.urls.allowedHosts` pattern.",
  url_private_address: "A URL field points to a private, loopback, link-local, CGNAT, multicast or cloud-metadata address, in any encoding, or to a cluster-internal name.",
  url_malformed: "A URL field is not a string, or not an absolute URL that every common client parses the same way (userinfo, percent-encoded or non-ASCII hosts are refused).",
  image_malformed: "An image field is not valid base64 or a `data:image/...;base64,` URL, or its header is broken or disagrees with its declared type.",
  image_format_denied: "An image's magic bytes show a format not in `payload.images.formats`.",
  image_too_large: "A decoded image is over `payload.images.maxDecodedBytes`.",
  image_dimensions_exceeded: "An image declares a width, height or pixel count over the `payload.images` limits (decompression bombs).",
  prompt_denied: "A prompt field contains one of `payload.prompts.denyPatterns`.",
  prompt_too_long: "The prompt fields together are over `payload.prompts.maxChars` bytes.",
  extraction_throttled: "The client's extraction score crossed `extraction.scoreThreshold` with action `Throttle`: it is held to `throttleRequestsPerMinute`.",
  extraction_blocked: "The client's extraction score crossed `extraction.scoreThreshold` with action `Block`: it is denied for `blockSeconds`.",
  client_throttled: "An unexpired ClientRestriction with action `Throttle` holds the client to its `requestsPerMinute`.",
  client_blocked: "An unexpired ClientRestriction with action `Block` denies the client.",
  internal_error: "The filter could not decide (for example shared data or a claim could not be read) and `spec.failureMode` is `Closed`.",
  config_invalid: "The sidecar has no valid filter configuration, so the endpoint fails closed.",
};

export const REASONS_HEADING = "Deny reason codes";

/** The reason codes section, in the order of operator/src/api/reasons.ts. */
export function renderReasonCodes(): string {
  const rows = DENY_REASON_CODES.map((reason) => [code(reason), String(DENY_REASONS[reason]), MEANINGS[reason]]);
  return [
    `## ${REASONS_HEADING}`,
    "",
    "Every request the filter denies gets the status below, the header `x-modelguard-reason: <code>`, the JSON body " +
      '`{"error": {"code", "message", "status"}}`, one audit line, and one count on the Envoy counter ' +
      "`modelguard_requests_denied_<code>`. Codes are stable: dashboards and alerts use them.",
    "",
    table(["code", "HTTP status", "meaning"], rows),
    "",
  ].join("\n");
}
