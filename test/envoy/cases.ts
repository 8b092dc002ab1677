// The policy, tokens, requests and assertions shared by the filter-in-Envoy tests and the kind
// end-to-end traffic checks (test/e2e-kind/), so a bare Envoy and a mesh sidecar are held to the
// same expectations.
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import type { JWK, JWTPayload } from "jose";
import type { PolicySpecInput } from "../../operator/src/api/policy.js";
import type { HttpResponse } from "../harness/envoy/http.js";

export const ISSUER = "https://idp.modelguard.test";
export const AUDIENCE = "models.modelguard.test";
export const PROVIDER = "idp";
export const KID = "test-key-1";
export const MAX_BODY = 4096;
export const REASON = "x-modelguard-reason";
export const JSON_CT = { "content-type": "application/json" };

/** The policy under test. Tiers: free (unlimited), pro, metered (3 requests per hour, so no
 *  refill can happen during a test run). */
export function policySpec(jwks: string): PolicySpecInput {
  return {
    protocol: "Auto",
    authentication: { jwt: [{ name: PROVIDER, issuer: ISSUER, jwks, audiences: [AUDIENCE] }] },
    tiers: [{ name: "free" }, { name: "pro" }, { name: "metered", requestsPerHour: 3 }],
    rules: [
      { name: "open", models: ["clf-*"] },
      { name: "pro-only", models: ["pro-*"], tiers: ["pro"] },
      { name: "scoped", models: ["scoped-*"], requiredScopes: ["predict", "explain"] },
      { name: "chat-pro", models: ["chat-*"], tiers: ["pro"] },
    ],
    payload: {
      maxBodyBytes: MAX_BODY,
      urls: { fields: ["instances[*].image_url"], allowedSchemes: ["http", "https"] },
      images: { fields: ["instances[*].image_b64"], formats: ["png"] },
    },
    response: { probabilityDecimals: 2 },
    // Denials always get an audit line; allows never, so the log holds denials only.
    audit: { allowSamplePercent: 0 },
  };
}

export type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

export interface Keys {
  good: SigningKey;
  /** A key the JWKS does not hold: its signatures must not verify. */
  other: SigningKey;
  jwks: string;
}

export async function makeKeys(): Promise<Keys> {
  const good = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(good.publicKey)), kid: KID, alg: "RS256", use: "sig" };
  return { good: good.privateKey, other: other.privateKey, jwks: JSON.stringify({ keys: [jwk] }) };
}

export interface TokenOptions {
  key?: SigningKey;
  issuer?: string;
  audience?: string;
  expiresAt?: number;
}

export async function mint(keys: Keys, claims: JWTPayload, opts: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: KID, typ: "JWT" })
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setIssuedAt(now - 10)
    .setExpirationTime(opts.expiresAt ?? now + 600)
    .sign(opts.key ?? keys.good);
}

/** Tokens jwt_authn must refuse before the filter runs: [what, token, status]. It answers 401 for
 *  a token it cannot verify and 403 for a verified token whose audience is not allowed. */
export async function invalidTokens(keys: Keys, claims: JWTPayload): Promise<[string, string, number][]> {
  const now = Math.floor(Date.now() / 1000);
  return [
    ["bad signature", await mint(keys, claims, { key: keys.other }), 401],
    ["expired", await mint(keys, claims, { expiresAt: now - 3600 }), 401],
    ["wrong issuer", await mint(keys, claims, { issuer: "https://evil.example.com" }), 401],
    ["alg none", new UnsecuredJWT(claims).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt(now).setExpirationTime(now + 600).encode(), 401],
    ["garbage", "not.a.jwt", 401],
    ["wrong audience", await mint(keys, claims, { audience: "someone-else" }), 403],
  ];
}

/** Identity a client might try to assert with headers; none of it may be trusted. */
export const FORGED_IDENTITY_HEADERS: Record<string, string> = {
  "x-jwt-payload": Buffer.from(JSON.stringify({ iss: ISSUER, sub: "root", tier: "pro" })).toString("base64url"),
  "x-sub": "root",
  "x-tier": "pro",
  "x-modelguard-client": "root",
  "x-modelguard-tier": "pro",
  "x-forwarded-user": "root",
};

/** A cloud metadata address: an instance URL pointing there is SSRF. */
export const SSRF_URL = "http://169.254.169.254/latest/meta-data/";

/** A 1×1 PNG (IHDR with CRC, IDAT, IEND). */
export const PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

export const kserve = (instances: unknown[]): string => JSON.stringify({ instances });

export function reasonOf(res: { headers: IncomingHttpHeaders }): string | undefined {
  const v = res.headers[REASON];
  return typeof v === "string" ? v : undefined;
}

/** A filter denial: status, reason header, and the JSON body that names the same code. */
export function assertDenied(res: HttpResponse, status: number, reason: string): void {
  assert.equal(res.status, status, `expected ${status} ${reason}, got ${res.status} ${JSON.stringify(res.headers)} ${res.body}`);
  assert.equal(reasonOf(res), reason, `reason header: ${JSON.stringify(res.headers)} ${res.body}`);
  const body = JSON.parse(res.body) as { error?: { code?: string; status?: number } };
  assert.equal(body.error?.code, reason);
  assert.equal(body.error?.status, status);
}
