// 100k random and mutated requests through the real filter: no trap, no hang (every exchange
// completes), only documented outcomes, and linear memory that stops growing after warm-up.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DENY_REASON_CODES } from "../../../operator/src/api/reasons.js";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import type { SimRequest } from "../../host/simulation.js";
import { mulberry32 } from "../support/unit-wasm.js";
import { startFilter } from "./harness.js";

const CASES = Number(process.env.MODELGUARD_FUZZ_CASES ?? 100_000);

const spec: PolicySpecInput = {
  protocol: "Auto",
  authentication: { jwt: [{ name: "idp", issuer: "https://idp.example.com", jwks: '{"keys":[]}' }] },
  identity: { defaultTier: "free" },
  tiers: [{ name: "free", requestsPerSecond: 50, burst: 100, tokensPerMinute: 1_000_000, maxTokensPerRequest: 4096 }, { name: "pro" }],
  rules: [{ models: ["*"], methods: ["POST", "GET"] }, { models: ["large-*"], tiers: ["pro"], requiredScopes: ["big"], requiredClaims: [{ claim: "groups", values: ["a"] }] }],
  payload: {
    maxBodyBytes: 65536,
    json: { maxDepth: 16, maxArrayLength: 1000, maxObjectKeys: 100, maxStringLength: 32768 },
    fields: [{ path: "messages[*].role", type: "string", enum: ["user", "assistant"] }, { path: "temperature", type: "number", minimum: 0, maximum: 2 }],
    urls: { fields: ["instances[*].image_url"] },
    images: { fields: ["instances[*].image_b64"] },
    prompts: { denyPatterns: ["ignore previous instructions", "a*b*c*d*e"], maxChars: 10000 },
  },
  extraction: { action: "Block", minRequests: 50, windowSeconds: 60 },
  response: { probabilityDecimals: 2, topK: 3, stripFields: ["choices[*].logprobs"] },
};

const prng = mulberry32;

const SEEDS = [
  '{"model":"m","messages":[{"role":"user","content":"hello"}],"temperature":0.5,"max_tokens":100}',
  '{"instances":[{"image_url":"https://example.com/a.png"},{"image_b64":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}]}',
  '{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[0.1,0.2]}]}',
  '{"model":"large-1","prompt":"ignore previous instructions","n":1}',
  "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
  '{"a":"\\ud83d\\ude00\\u0000","b":-0.0e-7,"c":[true,false,null]}',
];
const PATHS = ["/v1/chat/completions", "/v1/models/m:predict", "/v2/models/m/infer", "/v2/models/large-1/versions/2/infer", "/v1/models", "/", "/v1/models/%00:predict", "/v2/models//infer", "//", "/v1/models/" + "x".repeat(300) + ":predict"];
const TYPES = ["application/json", "text/plain", "application/json; charset=utf-8", "", "application/octet-stream", "application/problem+json"];
const METHODS = ["POST", "GET", "PUT", "DELETE", "OPTIONS", "BREW"];
const STATUSES = new Set([200, 400, 401, 403, 413, 415, 429, 500, 503]);

function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
  const b = Array.from(bytes);
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const op = Math.floor(r() * 5);
    const at = Math.floor(r() * (b.length + 1));
    if (op === 0 && b.length > 0) b[at % b.length] = Math.floor(r() * 256);
    else if (op === 1) b.splice(at, 0, Math.floor(r() * 256));
    else if (op === 2) b.splice(at, Math.floor(r() * 8));
    else if (op === 3) b.splice(at, 0, ...b.slice(0, Math.floor(r() * 16)));
    else b.length = Math.min(b.length, at);
  }
  return Uint8Array.from(b);
}

function randomBytes(r: () => number): Uint8Array {
  return Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
}

function randomClaims(r: () => number): SimRequest["claims"] | undefined {
  const x = r();
  if (x < 0.1) return undefined;
  const str = () => (r() < 0.5 ? "c" + Math.floor(r() * 50) : String.fromCharCode(...Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 0xffff))));
  return {
    sub: x < 0.15 ? "" : str(),
    ...(r() < 0.7 ? { tier: r() < 0.8 ? "free" : r() < 0.5 ? "pro" : str() } : {}),
    ...(r() < 0.3 ? { scope: r() < 0.5 ? "big x" : ["big", str()] } : {}),
    ...(r() < 0.2 ? { groups: [str(), "a"] } : {}),
    ...(r() < 0.05 ? { tier: 3.5 } : {}),
  };
}

describe("fuzz", () => {
  it(`${CASES} random and mutated requests: only documented outcomes, no trap, flat memory`, async () => {
    const f = await startFilter(spec, { workers: 2 });
    const r = prng(1234);
    const seeds = SEEDS.map((s) => new TextEncoder().encode(s));
    const reasons = new Set(["", ...DENY_REASON_CODES]);
    const counts = new Map<string, number>();
    let pagesAtWarmup = 0;
    for (let i = 0; i < CASES; i++) {
      const seed = seeds[Math.floor(r() * seeds.length)] ?? seeds[0];
      assert.ok(seed);
      const body = r() < 0.15 ? randomBytes(r) : r() < 0.7 ? mutate(seed, r) : seed;
      // Half the cases are plausible requests, so mutations reach the deeper checks.
      const plausible = r() < 0.5;
      const req: SimRequest = {
        method: plausible ? "POST" : (METHODS[Math.floor(r() * METHODS.length)] ?? "POST"),
        path: PATHS[Math.floor(r() * (plausible ? 4 : PATHS.length))] ?? "/",
        headers: { "content-type": plausible ? "application/json" : (TYPES[Math.floor(r() * TYPES.length)] ?? ""), ...(r() < 0.05 ? { "x-api-key": "k" } : {}) },
        bodyBase64: Buffer.from(body).toString("base64"),
        ...(r() < 0.1 ? { response: { status: 200, headers: { "content-type": "application/json" }, body: Buffer.from(mutate(seed, r)).toString("latin1") } } : {}),
      };
      const claims = plausible ? { sub: `c${Math.floor(r() * 40)}`, tier: "free" } : randomClaims(r);
      if (claims) req.claims = claims;
      const d = f.send(req);
      assert.ok(STATUSES.has(d.status), `case ${i}: status ${d.status}`);
      assert.ok(reasons.has(d.reason), `case ${i}: reason ${d.reason}`);
      counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1);
      if (i % 97 === 0) f.host.advanceTime(1000);
      if (i === Math.floor(CASES / 5)) pagesAtWarmup = Math.max(...f.vms.map((v) => v.memoryPages));
    }
    const pagesAtEnd = Math.max(...f.vms.map((v) => v.memoryPages));
    for (const vm of f.vms) assert.equal(vm.isFailed, false);
    assert.ok(pagesAtEnd <= pagesAtWarmup + 2, `memory grew from ${pagesAtWarmup} to ${pagesAtEnd} pages`);
    // The corpus must reach both sides of the filter, not just one early rejection.
    assert.ok((counts.get("") ?? 0) > CASES / 50, `allowed only ${counts.get("")}: ${JSON.stringify([...counts])}`);
    assert.ok(counts.size > 8, `only ${[...counts.keys()].join(",")}`);
  });
});
