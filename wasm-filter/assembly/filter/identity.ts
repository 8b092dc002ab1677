// Who is calling, from verified JWT claims or an API key, and which tier they are in.
import { sha256HexString } from "../crypto/sha256";
import { ClaimReader, ClaimStatus } from "./claims";
import { IdentityConfig } from "./config-types";
import { Reason } from "./reasons";

export class Identity {
  client: string = "";
  tier: string = "";
  viaApiKey: bool = false;
  scopes: string[] = [];
}

/** The identity, or a denial reason; `failed` marks a host failure (not the client's fault). */
export class IdentityResult {
  identity: Identity | null = null;
  reason: Reason = Reason.Unauthenticated;
  failed: bool = false;
}

function deny(reason: Reason): IdentityResult {
  const r = new IdentityResult();
  r.reason = reason;
  return r;
}

function fail(): IdentityResult {
  const r = new IdentityResult();
  r.reason = Reason.InternalError;
  r.failed = true;
  return r;
}

/**
 * API keys first when the request carries the key header (RBAC let it through on that basis),
 * otherwise the verified JWT payload. No identity means 401.
 */
export function identify(cfg: IdentityConfig, apiKey: string | null, claims: ClaimReader): IdentityResult {
  if (apiKey !== null && cfg.apiKeyHeader.length > 0) {
    const hash = sha256HexString(apiKey);
    if (!cfg.apiKeys.has(hash)) return deny(Reason.ApiKeyInvalid);
    const entry = cfg.apiKeys.get(hash);
    const id = new Identity();
    id.client = entry.client;
    id.tier = entry.tier;
    id.viaApiKey = true;
    const r = new IdentityResult();
    r.identity = id;
    return r;
  }
  if (!cfg.jwtEnabled) return deny(Reason.Unauthenticated);
  const sub = claims.getString(cfg.clientIdPath);
  if (sub === null) return claims.status == ClaimStatus.Failed ? fail() : deny(Reason.Unauthenticated);
  if (sub.length == 0) return deny(Reason.Unauthenticated);
  if (cfg.revokedSub.has(sub)) return deny(Reason.TokenRevoked);
  if (cfg.revokedJti.size > 0) {
    const jti = claims.getString(cfg.jtiPath);
    if (jti !== null && cfg.revokedJti.has(jti)) return deny(Reason.TokenRevoked);
    if (jti === null && claims.status == ClaimStatus.Failed) return fail();
  }
  let tier = claims.getString(cfg.tierPath);
  if (tier === null && claims.status == ClaimStatus.Failed) return fail();
  if (tier === null || tier.length == 0) tier = cfg.defaultTier;
  if (tier.length == 0) return deny(Reason.TierUnknown);
  const id = new Identity();
  id.client = sub;
  id.tier = tier;
  // Scopes only decide rules that name some; unread they stay empty, which no such rule sees.
  if (cfg.scopesNeeded) id.scopes = claims.getStrings(cfg.scopePath);
  const r = new IdentityResult();
  r.identity = id;
  return r;
}
