import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { policySchema } from "./policy.js";
import { basePolicy as base, fieldErrorsOf as errorsOf, INVALID_POLICIES, withSpec, type Spec } from "./policy-cases.js";

describe("policy schema: valid policies", () => {
  const valid: [string, unknown][] = [
    ["the base policy", base()],
    ["API keys only", withSpec((s) => (s.authentication = { apiKeys: { secretRefs: [{ name: "keys", tier: "free" }] } }))],
    ["inline JWKS", withSpec((s) => (s.authentication = { jwt: [{ name: "a", issuer: "i", jwks: '{"keys":[]}' }] }))],
    ["every section", withSpec((s) => {
      s.protocol = "KServeV1";
      s.mtls = { mode: "Permissive" };
      s.callers = { principals: ["cluster.local/ns/a/sa/b"], namespaces: ["a"] };
      s.identity = { clientIdClaim: "azp", defaultTier: "free" };
      s.revocation = { secretRef: { name: "revoked" } };
      s.payload = {
        maxBodyBytes: 1024,
        fields: [{ path: "instances[*].x", type: "number", minimum: 0, maximum: 1 }],
        urls: { fields: ["instances[*].url"], allowedHosts: ["*.example.com"] },
        images: { fields: ["instances[0].b64"], formats: ["png"] },
        prompts: { denyPatterns: ["ignore previous instructions"] },
      };
      s.extraction = { action: "Throttle", throttleRequestsPerMinute: 5 };
      s.response = { probabilityDecimals: 2, topK: 3, stripFields: ["logits"] };
      s.rateLimit = { local: { requestsPerSecond: 10 }, global: {} };
      s.failureMode = "Open";
      s.audit = { allowSamplePercent: 0 };
    })],
    ["minimum equal to maximum", withSpec((s) => (s.payload = { fields: [{ path: "n", minimum: 1, maximum: 1 }] }))],
    ["tokensPerMinute equal to tokensPerDay", withSpec((s) => (s.tiers = [{ name: "t", tokensPerMinute: 5, tokensPerDay: 5 }]))],
  ];
  for (const [name, input] of valid) {
    it(name, () => assert.deepEqual(errorsOf(input), []));
  }

  it("fills documented defaults", () => {
    const r = policySchema.parse(base());
    assert.equal(r.spec.protocol, "Auto");
    assert.equal(r.spec.mtls.mode, "Strict");
    assert.equal(r.spec.failureMode, "Closed");
    assert.equal(r.spec.identity.clientIdClaim, "sub");
    assert.equal(r.spec.payload.maxBodyBytes, 1048576);
    assert.deepEqual(r.spec.payload.contentTypes, ["application/json"]);
    assert.equal(r.spec.payload.json.maxDepth, 32);
    assert.equal(r.spec.audit.allowSamplePercent, 1);
    assert.equal(r.spec.authentication.jwt?.[0]?.forwardOriginalToken, false);
  });
});

describe("policy schema: invalid policies name the exact field", () => {
  const invalid = INVALID_POLICIES;
  for (const [name, input, want] of invalid) {
    it(name, () => assert.deepEqual(errorsOf(input), want));
  }
});

describe("policy schema: generated inputs", () => {
  // Property: any positive integer rate is accepted, any non-positive one is refused at its path.
  it("rates: accepted iff a positive integer", () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const v = Math.floor((rand() - 0.3) * 2_000_000) / (rand() < 0.2 ? 3 : 1);
      const field = ["requestsPerSecond", "requestsPerMinute", "requestsPerHour", "requestsPerDay"][i % 4] as string;
      const errs = errorsOf(withSpec((s) => ((s.tiers as Spec[])[0] = { name: "free", [field]: v })));
      const ok = Number.isInteger(v) && v > 0 && v <= 1_000_000_000;
      assert.equal(errs.length === 0, ok, `${field}=${v}: ${errs.join("; ")}`);
      if (!ok) assert.ok(errs.every((e) => e.startsWith(`spec.tiers[0].${field}: `)), errs.join("; "));
    }
  });
});
