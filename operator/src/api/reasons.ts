/**
 * Stable deny reason codes, used unchanged in local replies, metrics and audit lines.
 * Adding one is fine; renaming or removing one breaks dashboards and alerts.
 */
export const DENY_REASONS = {
  unauthenticated: 401,
  api_key_invalid: 401,
  token_revoked: 401,
  tier_unknown: 403,
  model_unknown: 400,
  model_not_allowed: 403,
  tier_not_allowed: 403,
  scope_missing: 403,
  claim_missing: 403,
  method_not_allowed: 403,
  path_not_allowed: 403,
  quota_exceeded: 429,
  token_budget_exceeded: 429,
  max_tokens_exceeded: 400,
  body_too_large: 413,
  content_type_unsupported: 415,
  json_malformed: 400,
  json_too_deep: 400,
  json_too_large: 400,
  field_invalid: 400,
  url_scheme_denied: 400,
  url_host_denied: 400,
  url_private_address: 400,
  url_malformed: 400,
  image_malformed: 400,
  image_format_denied: 400,
  image_too_large: 413,
  image_dimensions_exceeded: 400,
  prompt_denied: 400,
  prompt_too_long: 413,
  extraction_throttled: 429,
  extraction_blocked: 403,
  client_throttled: 429,
  client_blocked: 403,
  internal_error: 500,
  config_invalid: 503,
} as const;

export type DenyReason = keyof typeof DENY_REASONS;
export const DENY_REASON_CODES = Object.keys(DENY_REASONS) as DenyReason[];
