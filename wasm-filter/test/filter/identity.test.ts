// Identity through the real filter: verified claims only, API keys by hash, revocations, tiers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLIENT_HEADER, TIER_HEADER } from "../../../operator/src/api/constants.js";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import { baseSpec, chat, post, startFilter } from "./harness.js";

const KEY = "mg-test-key-0123456789";
const keys = {
  apiVersion: "v1" as const,
  kind: "Secret" as const,
  metadata: { name: "keys", namespace: "ns" },
  stringData: { ci: KEY },
};
const revocations = {
  apiVersion: "v1" as const,
  kind: "Secret" as const,
  metadata: { name: "revoked", namespace: "ns" },
  stringData: { jti: "stolen-token-id\n", sub: "mallory\n" },
};

function spec(): PolicySpecInput {
  return {
    ...baseSpec(),
    authentication: {
      jwt: [{ name: "idp", issuer: "https://idp.example.com", jwks: '{"keys":[]}' }],
      apiKeys: { secretRefs: [{ name: "keys", tier: "free" }] },
    },
    revocation: { secretRef: { name: "revoked" } },
    rules: [
      { models: ["small-*"] },
      { models: ["large-*"], tiers: ["pro"] },
    ],
    rateLimit: { global: {} },
  };
}

const start = () => startFilter(spec(), { secrets: [keys, revocations] });

describe("identity", () => {
  it("denies a request without verified claims or key (401, stable reason)", async () => {
    const f = await start();
    const d = f.send(chat("small-1", "hi", {}, null));
    assert.equal(d.status, 401);
    assert.equal(d.reason, "unauthenticated");
    assert.match(d.headers["www-authenticate"] ?? "", /Bearer/);
  });

  it("accepts verified claims from jwt_authn's metadata", async () => {
    const f = await start();
    assert.equal(f.send(chat("small-1", "hi", {}, { sub: "alice", tier: "free" })).action, "allow");
  });

  // Everything a client can put on the wire is ignored: only dynamic metadata carries identity.
  const forgeries: [string, Record<string, string>][] = [
    ["a claims header like outputPayloadToHeader would write", { "x-jwt-payload": Buffer.from('{"sub":"admin","tier":"pro"}').toString("base64") }],
    ["an unverifiable bearer token", { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInRpZXIiOiJwcm8ifQ." }],
    ["plain identity headers", { "x-sub": "admin", "x-tier": "pro", "x-user": "admin" }],
    ["the filter's own identity headers", { [CLIENT_HEADER]: "admin", [TIER_HEADER]: "pro" }],
    ["an Istio-style forwarded identity", { "x-forwarded-client-cert": "By=spiffe://cluster.local/ns/a/sa/b;URI=spiffe://x" }],
  ];
  for (const [name, headers] of forgeries) {
    it(`ignores forged identity: ${name}`, async () => {
      const f = await start();
      const anon = f.send({ ...chat("large-1", "hi", {}, null), headers: { "content-type": "application/json", ...headers } });
      assert.equal(anon.status, 401, "no verified claims: still unauthenticated");
      const free = f.send({ ...chat("large-1", "hi", {}, { sub: "eve", tier: "free" }), headers: { "content-type": "application/json", ...headers } });
      assert.equal(free.status, 403, "a free client stays free whatever the headers say");
      assert.equal(free.reason, "tier_not_allowed");
    });
  }

  it("overwrites client-sent identity headers with the verified identity", async () => {
    const f = await start();
    let seen: string | undefined;
    const req = chat("small-1", "hi", {}, { sub: "alice", tier: "free" });
    req.headers = { ...req.headers, [CLIENT_HEADER]: "admin", [TIER_HEADER]: "pro" };
    const vm = f.vms[0];
    assert.ok(vm);
    const r = f.host.exchange(vm, {
      headers: { ":method": "POST", ":path": req.path, ":authority": "m", "content-type": "application/json", [CLIENT_HEADER]: "admin", [TIER_HEADER]: "pro" },
      body: req.body ?? "",
      properties: { metadata: { filter_metadata: { "envoy.filters.http.jwt_authn": { payload: { sub: "alice", tier: "free" } } } } },
    }, (fwd) => {
      seen = fwd.headers.filter(([k]) => k === CLIENT_HEADER).map(([, v]) => v).join(",");
      assert.deepEqual(fwd.headers.filter(([k]) => k === TIER_HEADER).map(([, v]) => v), ["free"]);
      return { status: 200 };
    });
    assert.equal(r.outcome, "forwarded");
    assert.equal(seen, "alice");
  });

  it("authenticates an API key by its hash and strips it before the model", async () => {
    const f = await start();
    const vm = f.vms[0];
    assert.ok(vm);
    const r = f.host.exchange(vm, {
      headers: { ":method": "POST", ":path": "/v1/chat/completions", ":authority": "m", "content-type": "application/json", "x-api-key": KEY },
      body: JSON.stringify({ model: "small-1", messages: [] }),
    }, (fwd) => {
      assert.ok(!fwd.headers.some(([k]) => k === "x-api-key"), "the key must not reach the model");
      assert.deepEqual(fwd.headers.filter(([k]) => k === CLIENT_HEADER).map(([, v]) => v), ["keys/ci"]);
      return { status: 200 };
    });
    assert.equal(r.outcome, "forwarded");
  });

  const badKeys = ["", "x", KEY.toUpperCase(), `${KEY} `, `${KEY}0`, KEY.slice(1), "mg-test-key-0123456788"];
  for (const k of badKeys) {
    it(`refuses a wrong API key ${JSON.stringify(k)}`, async () => {
      const f = await start();
      const d = f.send(post("/v1/chat/completions", { model: "small-1" }, null, { "x-api-key": k }));
      assert.equal(d.status, 401);
      assert.equal(d.reason, "api_key_invalid");
    });
  }

  it("denies revoked subjects and token ids", async () => {
    const f = await start();
    assert.equal(f.send(chat("small-1", "hi", {}, { sub: "mallory", tier: "pro" })).reason, "token_revoked");
    assert.equal(f.send(chat("small-1", "hi", {}, { sub: "bob", jti: "stolen-token-id", tier: "pro" })).reason, "token_revoked");
    assert.equal(f.send(chat("small-1", "hi", {}, { sub: "bob", jti: "fresh", tier: "pro" })).action, "allow");
  });

  it("denies a tier that does not exist, and one missing without a default", async () => {
    const f = await start();
    assert.equal(f.send(chat("small-1", "hi", {}, { sub: "bob", tier: "platinum" })).reason, "tier_unknown");
    assert.equal(f.send(chat("small-1", "hi", {}, { sub: "bob" })).reason, "tier_unknown");
  });

  it("uses the default tier when the token names none", async () => {
    const f = await startFilter({ ...baseSpec(), identity: { defaultTier: "free" }, rules: [{ models: ["*"], tiers: ["free"] }] });
    assert.equal(f.send(chat("m", "hi", {}, { sub: "bob" })).action, "allow");
  });

  it("reads the client id and tier from configured (nested) claims", async () => {
    const f = await startFilter({ ...baseSpec(), identity: { clientIdClaim: "azp", tierClaim: "plan.name" } });
    assert.equal(f.send(chat("m", "hi", {}, { azp: "svc-a", plan: { name: "pro" } })).action, "allow");
    assert.equal(f.send(chat("m", "hi", {}, { sub: "svc-a", plan: { name: "pro" } })).reason, "unauthenticated");
  });
});
