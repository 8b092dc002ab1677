// Global tier quotas across replicas, on the real data path: TWO Envoys, each started from the
// bootstrap `modelguard render --target envoy` prints for one policy (jwt_authn → rbac → the
// ModelGuard filter → ratelimit → router → the sample model server), sharing ONE Envoy ratelimit
// service and ONE Redis loaded with the descriptors the translator builds for that policy
// (buildRateLimitServiceConfig). Requests of one JWT client alternate between the two Envoys.
//
// Why alternate. The tier field `requestsPerMinute: 4` feeds two limits:
//   - the filter's own per-pod quota: a token bucket per client in each Envoy's shared data,
//     capacity 4 (no `burst`), refilled at 4 per minute (one token every 15 s);
//   - the global quota: the ratelimit service's fixed one-minute window per client, 4 requests,
//     counted in Redis for every Envoy together.
// Five requests to ONE Envoy would trip the filter's bucket first (429 quota_exceeded from the
// filter), which proves nothing about the global limit. Split across two Envoys, each Envoy sees
// at most 3 of the client's requests, well inside its own bucket, so the 5th request's 429 can
// only come from the shared counter. The assertions say so: the 429 carries `x-envoy-ratelimited`
// and no `x-modelguard-reason`, the ratelimit filter's over_limit counter moved, and the filter's
// quota_exceeded counter did not. (A tier `burst` above the rate would widen the per-pod bucket,
// but the descriptors ignore burst; the same number for both is the common case, tested here.)
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { CryptoKey } from "jose";
import { stringify } from "yaml";
import { CLIENT_HEADER, TIER_HEADER } from "../../operator/src/api/constants.js";
import { runRender } from "../../operator/src/cli/render.js";
import { MODEL_CLUSTER } from "../../operator/src/translate/envoy/bootstrap.js";
import { buildRateLimitServiceConfig, rateLimitDomain } from "../../operator/src/translate/ratelimit/descriptors.js";
import { resolvePolicy } from "../../operator/src/translate/resolve.js";
import { startEnvoy } from "../harness/envoy/envoy.js";
import type { EnvoyProcess } from "../harness/envoy/envoy.js";
import { httpRequest } from "../harness/envoy/http.js";
import type { HttpResponse } from "../harness/envoy/http.js";
import { startRateLimit } from "../harness/envoy/ratelimit.js";
import type { RateLimitDomainConfig, RateLimitProcess } from "../harness/envoy/ratelimit.js";
import { startRedis } from "../harness/envoy/redis.js";
import type { RedisProcess } from "../harness/envoy/redis.js";
import { startModelServer } from "../harness/model-server/server.js";
import type { ModelServer } from "../harness/model-server/server.js";
import { pollUntil } from "../harness/poll.js";
import { awaitFreshMinute } from "../harness/envoy/ratelimit-window.js";
import { freePort } from "../harness/ports.js";

const WASM = fileURLToPath(new URL("../../wasm-filter/build/modelguard.wasm", import.meta.url));
const BUILD_SCRIPT = new URL("../../wasm-filter/scripts/build.mjs", import.meta.url).href;

const ISSUER = "https://idp.global-rl.test";
const AUDIENCE = "global-rl";
const KID = "global-rl-key";
/** The free tier's requests per minute: the filter's per-pod bucket and the global window alike. */
const LIMIT = 4;
const CHAT = JSON.stringify({ model: "llama-3-8b-instruct", messages: [{ role: "user", content: "Say hi." }], max_tokens: 16 });

/** The policy under test, as a user would write it (the JWKS inline, so no IdP is needed). */
function policyManifest(jwks: string): Record<string, unknown> {
  return {
    apiVersion: "modelguard.dev/v1alpha1",
    kind: "ModelEndpointPolicy",
    metadata: { name: "global-rl", namespace: "models" },
    spec: {
      protocol: "OpenAI",
      authentication: { jwt: [{ name: "idp", issuer: ISSUER, jwks, audiences: [AUDIENCE] }] },
      identity: { clientIdClaim: "sub", tierClaim: "tier" },
      tiers: [
        { name: "free", requestsPerMinute: LIMIT },
        // What a forged x-modelguard-tier would claim: a limit the test never reaches.
        { name: "pro", requestsPerMinute: 600 },
      ],
      rules: [{ name: "all-models", models: ["*"] }],
      // The service address is replaced by --ratelimit-service below.
      rateLimit: { global: { failureMode: "Closed" } },
      audit: { allowSamplePercent: 0 },
    },
  };
}

/** Builds the filter when this test runs before `npm run build:wasm`. */
async function ensureWasm(): Promise<void> {
  if (existsSync(WASM)) return;
  const build = (await import(BUILD_SCRIPT)) as {
    buildEntry: (e: { name: string; source: string; output: string }) => Promise<string>;
  };
  await build.buildEntry({ name: "modelguard", source: "assembly/index.ts", output: "build/modelguard.wasm" });
}

/** `modelguard render --target envoy -o json` for the policy file, run in-process. */
function renderEnvoy(policyFile: string, listenerPort: number, upstreamPort: number, rlsPort: number): Record<string, unknown> {
  let out = "";
  let err = "";
  const code = runRender(
    [
      "--target", "envoy",
      "-f", policyFile,
      "-o", "json",
      "--listener-address", "127.0.0.1",
      "--listener-port", String(listenerPort),
      "--upstream", `127.0.0.1:${upstreamPort}`,
      "--wasm-file", WASM,
      "--ratelimit-service", `127.0.0.1:${rlsPort}`,
    ],
    { out: (s) => (out += s), err: (s) => (err += s) },
  );
  assert.equal(code, 0, `render --target envoy failed: ${err}`);
  return JSON.parse(out) as Record<string, unknown>;
}

const reasonOf = (res: HttpResponse) => res.headers["x-modelguard-reason"];
const describeRes = (res: HttpResponse) =>
  `${res.status} reason=${String(reasonOf(res))} ratelimited=${String(res.headers["x-envoy-ratelimited"])} ${res.body.slice(0, 200)}`;

describe("global tier quota: two rendered Envoys share one ratelimit service and Redis", () => {
  let dir = "";
  let signingKey: CryptoKey | undefined;
  let model: ModelServer | undefined;
  let redis: RedisProcess | undefined;
  let rls: RateLimitProcess | undefined;
  let domain = "";
  const envoys: EnvoyProcess[] = [];
  const bases: string[] = [];

  before(async () => {
    await ensureWasm();
    dir = mkdtempSync(join(tmpdir(), "mg-envoy-global-"));
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    signingKey = privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: "ES256", use: "sig" }] });
    const manifest = policyManifest(jwks);
    const policyFile = join(dir, "policy.yaml");
    writeFileSync(policyFile, stringify(manifest));

    const resolved = resolvePolicy(manifest, [], []).policy;
    assert.ok(resolved, "the test policy resolves");
    domain = rateLimitDomain(resolved);

    model = await startModelServer();
    redis = await startRedis({ name: "redis-envoy-global" });
    rls = await startRateLimit({
      name: "ratelimit-envoy-global",
      redis,
      config: buildRateLimitServiceConfig(resolved) as unknown as RateLimitDomainConfig,
    });
    for (const name of ["envoy-global-a", "envoy-global-b"]) {
      const listenerPort = await freePort();
      const config = renderEnvoy(policyFile, listenerPort, model.port, rls.grpcPort);
      envoys.push(await startEnvoy({ name, config }));
      bases.push(`http://127.0.0.1:${listenerPort}`);
    }
    // Each Envoy opens its gRPC connection to the ratelimit service on first use, and the rendered
    // filter allows that call 0.25 s (failing closed with 500). Warm both up with a client of its own.
    const warm = await token("warm-up", "pro");
    for (const i of [0, 1]) {
      await pollUntil(async () => ((await chat(i, warm)).status === 200 ? true : undefined), {
        what: `${envoys[i]?.name ?? "envoy"} to pass a request through the ratelimit service`,
        timeoutMs: 10_000,
        intervalMs: 200,
      });
    }
  });

  after(async () => {
    await Promise.all(envoys.map((e) => e.stop()));
    await rls?.stop();
    await redis?.stop();
    await model?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  const token = async (sub: string, tier: string): Promise<string> => {
    assert.ok(signingKey);
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub, tier })
      .setProtectedHeader({ alg: "ES256", kid: KID, typ: "JWT" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now - 5)
      .setExpirationTime(now + 600)
      .sign(signingKey);
  };

  /** One chat request through Envoy `i % 2` (a, b, a, b, ...). */
  const chat = (i: number, jwt: string, extra: Record<string, string | string[]> = {}): Promise<HttpResponse> => {
    const base = bases[i % 2];
    assert.ok(base !== undefined);
    // httpRequest types headers as strings; a repeated header is sent as a string[] (node:http).
    const headers = { authorization: `Bearer ${jwt}`, "content-type": "application/json", ...extra } as Record<string, string>;
    return httpRequest(`${base}/v1/chat/completions`, { method: "POST", headers, body: CHAT });
  };

  const modelSaw = (client: string) => (model?.requests ?? []).filter((r) => r.headers[CLIENT_HEADER] === client);

  const counters = async () => {
    const out: { overLimit: number; filterQuota: number }[] = [];
    for (const e of envoys) {
      out.push({
        overLimit: (await e.stat(`cluster.${MODEL_CLUSTER}.ratelimit.over_limit`)) ?? 0,
        filterQuota: (await e.stat("wasmcustom.modelguard_requests_denied_quota_exceeded")) ?? 0,
      });
    }
    return out;
  };

  it("loads the translator's descriptors into the shared ratelimit service", async () => {
    assert.ok(rls);
    const loaded = await rls.loadedConfig();
    assert.match(loaded, new RegExp(`${domain.replace(/\./g, "\\.")}\\.window_minute\\.tier_free\\.client: unit=MINUTE requests_per_unit=${LIMIT}`), loaded);
    assert.equal(envoys.length, 2);
  });

  it(`counts one client across both Envoys: requests 1-${LIMIT} pass, request ${LIMIT + 1} gets 429 from the ratelimit service; another client still passes`, async () => {
    await awaitFreshMinute();
    const before = await counters();
    const alice = await token("alice", "free");

    const first: string[] = [];
    for (let i = 0; i < LIMIT; i++) first.push(describeRes(await chat(i, alice)));
    assert.deepEqual(first.map((s) => s.slice(0, 3)), Array<string>(LIMIT).fill("200"), first.join("\n"));

    // Request LIMIT+1 goes to Envoy a, which has seen only ceil(LIMIT/2) = 2 of alice's requests.
    const over = await chat(LIMIT, alice);
    assert.equal(over.status, 429, describeRes(over));
    assert.equal(over.headers["x-envoy-ratelimited"], "true", describeRes(over));
    assert.equal(reasonOf(over), undefined, "the 429 is the ratelimit filter's, not the ModelGuard filter's");
    // The shared counter's headers (enable_x_ratelimit_headers) survive the ModelGuard filter on the
    // way back, and the filter adds the Retry-After that Envoy's ratelimit filter does not send.
    assert.equal(over.headers["x-ratelimit-remaining"], "0", describeRes(over));
    const reset = Number(over.headers["x-ratelimit-reset"]);
    assert.ok(reset >= 1 && reset <= 60, describeRes(over));
    assert.equal(over.headers["retry-after"], over.headers["x-ratelimit-reset"]);
    // And Envoy b refuses her too.
    const overB = await chat(LIMIT + 1, alice);
    assert.equal(overB.status, 429, describeRes(overB));
    assert.equal(overB.headers["x-envoy-ratelimited"], "true");

    // Another client of the same tier has its own counter, on both Envoys.
    const bob = await token("bob", "free");
    for (const i of [0, 1]) {
      const res = await chat(i, bob);
      assert.equal(res.status, 200, describeRes(res));
    }

    assert.equal(modelSaw("alice").length, LIMIT, "only the allowed requests reached the model");
    assert.equal(modelSaw("bob").length, 2);
    // The denials came from the shared counter, one per Envoy, and never from the per-pod bucket.
    const now = await counters();
    assert.deepEqual(
      now.map((c, i) => ({ overLimit: c.overLimit - (before[i]?.overLimit ?? 0), filterQuota: c.filterQuota - (before[i]?.filterQuota ?? 0) })),
      [
        { overLimit: 1, filterQuota: 0 },
        { overLimit: 1, filterQuota: 0 },
      ],
    );
  });

  it("control: on ONE Envoy the filter's per-pod bucket answers request 5 itself, before the global limit", async () => {
    await awaitFreshMinute();
    const frank = await token("frank", "free");
    const statuses: string[] = [];
    // Always Envoy a (index 0).
    for (let i = 0; i < LIMIT; i++) statuses.push(describeRes(await chat(0, frank)));
    assert.deepEqual(statuses.map((s) => s.slice(0, 3)), Array<string>(LIMIT).fill("200"), statuses.join("\n"));
    const over = await chat(0, frank);
    assert.equal(over.status, 429, describeRes(over));
    assert.equal(reasonOf(over), "quota_exceeded", describeRes(over));
    assert.equal(over.headers["x-envoy-ratelimited"], undefined);
    assert.ok(over.headers["retry-after"] !== undefined, describeRes(over));
  });

  it("counts a client as itself whatever x-modelguard-client / x-modelguard-tier it sends", async () => {
    assert.ok(redis);
    await awaitFreshMinute();
    const carol = await token("carol", "free");
    // Claims to be dave on the pro tier (600/min). If Envoy's descriptors took these headers from
    // the client, carol's requests would land on dave's pro counter and never hit 4.
    const forged = { [CLIENT_HEADER]: "dave", [TIER_HEADER]: "pro" };
    // One request repeats the headers: the filter must replace every value, not only the first.
    const repeated = { [CLIENT_HEADER]: ["dave", "erin"], [TIER_HEADER]: ["pro", "pro"] };

    const statuses: string[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push(describeRes(await chat(i, carol, i === 1 ? repeated : forged)));
    assert.deepEqual(statuses.map((s) => s.slice(0, 3)), Array<string>(LIMIT).fill("200"), statuses.join("\n"));
    const over = await chat(LIMIT, carol, forged);
    assert.equal(over.status, 429, describeRes(over));
    assert.equal(over.headers["x-envoy-ratelimited"], "true");
    assert.equal(reasonOf(over), undefined);

    // The model saw carol's identity only, once per header (the filter overwrote the client's values).
    const seen = modelSaw("carol");
    assert.equal(seen.length, LIMIT);
    for (const r of seen) assert.equal(r.headers[TIER_HEADER], "free");
    assert.equal(modelSaw("dave").length, 0);
    assert.equal((model?.requests ?? []).filter((r) => String(r.headers[CLIENT_HEADER]).includes("erin")).length, 0);

    // Redis holds carol's free-tier counter, none for dave or erin, and no pro-tier one for carol.
    const keys = await redis.command("KEYS", `${domain}_*`);
    assert.ok(Array.isArray(keys), JSON.stringify(keys));
    const names = keys.map(String);
    assert.ok(names.some((k) => k.includes("_client_carol_")), names.join(" "));
    assert.ok(!names.some((k) => /_client_(dave|erin)_|_tier_pro_client_carol_/.test(k)), names.join(" "));

    // dave's own quota is untouched: his first LIMIT requests pass.
    const dave = await token("dave", "free");
    for (let i = 0; i < LIMIT; i++) {
      const res = await chat(i, dave);
      assert.equal(res.status, 200, describeRes(res));
    }
  });
});
