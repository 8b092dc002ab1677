// The traffic checks of the kind end-to-end run, sent from a pod inside the mesh to the sample
// model's Service, on the case table of the filter-in-Envoy tests (test/envoy/cases.ts).
//
// In a sidecar, Istio's RequestAuthentication (jwt_authn) and AuthorizationPolicy (RBAC) run
// before the filter: a token jwt_authn cannot verify gets its 401/403, a request without a token
// (or from a caller the policy does not name) gets RBAC's 403, and only authenticated requests
// from allowed callers reach the filter's per-model, per-tier and payload checks.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { JWTPayload } from "jose";
import {
  assertDenied,
  FORGED_IDENTITY_HEADERS,
  invalidTokens,
  JSON_CT,
  kserve,
  MAX_BODY,
  mint,
  PNG_1X1,
  reasonOf,
  SSRF_URL,
} from "../envoy/cases.js";
import type { Keys } from "../envoy/cases.js";
import { httpRequest } from "../harness/envoy/http.js";
import type { HttpResponse } from "../harness/envoy/http.js";
import { probabilities } from "../harness/model-server/responses.js";
import { pollUntil } from "../harness/poll.js";

export interface MeshTarget {
  /** The model Service, e.g. http://sample-model.models.svc.cluster.local:8080 */
  baseUrl: string;
  keys: Keys;
  /** How long to wait for the sidecar to have loaded the filter (it fetches the module first). */
  readyTimeoutMs: number;
}

interface Send {
  token?: string;
  headers?: Record<string, string>;
  body?: string;
}

async function send(target: MeshTarget, path: string, opts: Send = {}): Promise<HttpResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  return httpRequest(`${target.baseUrl}${path}`, {
    method: opts.body !== undefined ? "POST" : "GET",
    headers,
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
}

const describeRes = (res: HttpResponse): string => `${res.status} reason=${reasonOf(res) ?? "-"} ${res.body.slice(0, 300)}`;

/** RBAC's own refusal: 403 with Envoy's fixed body, and no filter reason. */
function assertRbacDenied(res: HttpResponse, what: string): void {
  assert.equal(res.status, 403, `${what}: ${describeRes(res)}`);
  assert.equal(reasonOf(res), undefined, `${what}: the filter answered, RBAC should have: ${describeRes(res)}`);
  assert.match(res.body, /^RBAC: access denied/, what);
}

/** Waits until the sidecar runs the filter: a model no rule allows gets the filter's 403. */
async function waitForFilter(target: MeshTarget, token: string): Promise<void> {
  let last = "no answer yet";
  await pollUntil(
    async () => {
      const res = await send(target, "/v1/models/secret-x:predict", { token, headers: JSON_CT, body: kserve([[1]]) });
      last = describeRes(res);
      return reasonOf(res) === "model_not_allowed" ? true : undefined;
    },
    { what: "the model's sidecar to run the ModelGuard filter", timeoutMs: target.readyTimeoutMs, intervalMs: 1000 },
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last answer: ${last}`);
  });
}

/** Checks for a caller the policy allows (its `callers` name this pod's ServiceAccount). */
export function allowedCallerChecks(target: MeshTarget): void {
  const token = (claims: JWTPayload) => mint(target.keys, claims);
  const run = `${process.pid}-${Date.now()}`;

  describe("from an allowed caller in the mesh", () => {
    before(async () => waitForFilter(target, await token({ sub: "probe", tier: "free" })));

    it("a valid JWT is allowed, and GET and POST reach the model", async () => {
      const tk = await token({ sub: "alice", tier: "free", scope: "predict" });
      const post = await send(target, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: kserve([[1, 2, 3]]) });
      assert.equal(post.status, 200, describeRes(post));
      assert.equal(reasonOf(post), undefined);
      const get = await send(target, "/v1/models/clf-a", { token: tk });
      assert.equal(get.status, 200, describeRes(get));
      assert.deepEqual(JSON.parse(get.body), { name: "clf-a", ready: true });
    });

    it("response hardening: the model's probabilities come back rounded to 2 decimals", async () => {
      const tk = await token({ sub: "grace", tier: "free" });
      const instance = [0.5, 1.5, 2.5];
      const res = await send(target, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: kserve([instance]) });
      assert.equal(res.status, 200, describeRes(res));
      const got = (JSON.parse(res.body) as { predictions: number[][] }).predictions[0];
      const exact = probabilities("clf-a", instance);
      assert.ok(got !== undefined && got.length === exact.length, `one probability per class: ${res.body}`);
      got.forEach((p, i) => {
        const truth = exact[i] ?? Number.NaN;
        assert.ok(Math.abs(p * 100 - Math.round(p * 100)) < 1e-9, `class ${i}: ${p} has more than 2 decimals`);
        assert.ok(Math.abs(p - truth) <= 0.005 + 1e-9, `class ${i}: ${p} is not ${truth} rounded`);
      });
      assert.ok(got.some((p, i) => p !== exact[i]), "the model's unrounded answer reached the client");
    });

    it("no token: RBAC refuses it (the AuthorizationPolicy requires a request principal)", async () => {
      assertRbacDenied(await send(target, "/v1/models/clf-a:predict", { headers: JSON_CT, body: kserve([[1]]) }), "no token");
    });

    it("bad signature, expired, wrong issuer, alg none, garbage, wrong audience: jwt_authn refuses them", async () => {
      for (const [what, tk, status] of await invalidTokens(target.keys, { sub: "mallory", tier: "pro" })) {
        const res = await send(target, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: kserve([[1]]) });
        assert.equal(res.status, status, `${what}: ${describeRes(res)}`);
        assert.equal(reasonOf(res), undefined, `${what}: the filter must not have answered`);
        assert.match(String(res.headers["www-authenticate"]), /^Bearer realm=.*error="invalid_token"/, what);
      }
    });

    it("forged identity headers are never trusted", async () => {
      const forged = { ...FORGED_IDENTITY_HEADERS, ...JSON_CT };
      assertRbacDenied(await send(target, "/v1/models/pro-x:predict", { headers: forged, body: kserve([[1]]) }), "forged headers, no token");
      const free = await token({ sub: "bob", tier: "free" });
      assertDenied(await send(target, "/v1/models/pro-x:predict", { token: free, headers: forged, body: kserve([[1]]) }), 403, "tier_not_allowed");
      const pro = await token({ sub: "carol", tier: "pro" });
      const ok = await send(target, "/v1/models/pro-x:predict", { token: pro, headers: JSON_CT, body: kserve([[1]]) });
      assert.equal(ok.status, 200, describeRes(ok));
    });

    it("tier not allowed → 403 tier_not_allowed, for a model in the path and one in the body", async () => {
      const free = await token({ sub: "dave", tier: "free" });
      assertDenied(await send(target, "/v1/models/pro-x:predict", { token: free, headers: JSON_CT, body: kserve([[1]]) }), 403, "tier_not_allowed");
      const chat = JSON.stringify({ model: "chat-large", messages: [{ role: "user", content: "hi" }] });
      assertDenied(await send(target, "/v1/chat/completions", { token: free, headers: JSON_CT, body: chat }), 403, "tier_not_allowed");
      const pro = await token({ sub: "dave", tier: "pro" });
      const ok = await send(target, "/v1/chat/completions", { token: pro, headers: JSON_CT, body: chat });
      assert.equal(ok.status, 200, describeRes(ok));
    });

    it("quota: the 4th request of a 3-per-hour client gets 429 with Retry-After", async () => {
      const tk = await token({ sub: `quota-${run}`, tier: "metered" });
      for (let i = 0; i < 3; i++) {
        const res = await send(target, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: kserve([[i]]) });
        assert.equal(res.status, 200, `request ${i + 1}: ${describeRes(res)}`);
        assert.equal(res.headers["x-ratelimit-remaining"], String(2 - i), `remaining after request ${i + 1}`);
      }
      const over = await send(target, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: kserve([[3]]) });
      assertDenied(over, 429, "quota_exceeded");
      assert.match(String(over.headers["retry-after"]), /^[1-9]\d*$/);
      assert.equal(over.headers["x-ratelimit-limit"], "3");
    });

    it("payload: a body over the limit → 413, malformed JSON → 400, SSRF URL → 400, bad base64 image → 400", async () => {
      const tk = await token({ sub: "frank", tier: "free" });
      const post = (body: string) => send(target, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body });
      assertDenied(await post(kserve([["x".repeat(MAX_BODY)]])), 413, "body_too_large");
      assertDenied(await post('{"instances": [1, 2'), 400, "json_malformed");
      assertDenied(await post(kserve([{ image_url: SSRF_URL }])), 400, "url_private_address");
      assertDenied(await post(kserve([{ image_b64: "%%%not-base64%%%" }])), 400, "image_malformed");
      const png = await post(kserve([{ image_b64: PNG_1X1 }]));
      assert.equal(png.status, 200, `a real PNG passes: ${describeRes(png)}`);
    });
  });
}

/** Checks for a caller the policy does not name: RBAC stops it whatever token it holds. */
export function strangerChecks(target: MeshTarget): void {
  describe("from a caller the policy does not allow", () => {
    it("a valid token does not help: RBAC refuses the connection's identity", async () => {
      const tk = await mint(target.keys, { sub: "eve", tier: "pro" });
      assertRbacDenied(await send(target, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: kserve([[1]]) }), "stranger with a valid token");
    });
  });
}
