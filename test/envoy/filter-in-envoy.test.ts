// The compiled ModelGuard filter (wasm-filter/build/modelguard.wasm) in a REAL Envoy, behind a
// jwt_authn filter configured the way Istio's RequestAuthentication configures it, with the filter
// config the translator emits for a policy written here. Proves that what the Node host shows
// (claims from dynamic metadata, body buffering, local replies, shared-data quotas, response
// rewriting, metrics, audit lines) holds in Envoy too.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:http2";
import type { IncomingHttpHeaders } from "node:http";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { JWTPayload } from "jose";
import { policySchema } from "../../operator/src/api/policy.js";
import type { PolicySpecInput } from "../../operator/src/api/policy.js";
import { translate } from "../../operator/src/translate/translate.js";
import type { DetectorEndpoint } from "../../operator/src/translate/inputs.js";
import { istioCluster, reportToken } from "../../operator/src/translate/detection.js";
import { reportSchema, type Report } from "../../operator/src/detector/report.js";
import { sketchOf } from "../../operator/src/detector/sketch.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startEnvoy } from "../harness/envoy/envoy.js";
import type { EnvoyProcess } from "../harness/envoy/envoy.js";
import { httpRequest } from "../harness/envoy/http.js";
import type { HttpResponse } from "../harness/envoy/http.js";
import { loopbackCluster, proxyBootstrap } from "../harness/envoy/proxy-bootstrap.js";
import { wasmHttpFilter } from "../harness/envoy/wasm-http-filter.js";
import { pollUntil } from "../harness/poll.js";
import { freePort } from "../harness/ports.js";
import {
  assertDenied,
  AUDIENCE,
  FORGED_IDENTITY_HEADERS,
  invalidTokens,
  ISSUER,
  JSON_CT,
  kserve,
  makeKeys,
  MAX_BODY,
  mint,
  PNG_1X1,
  policySpec,
  PROVIDER,
  REASON,
  reasonOf,
  SSRF_URL,
} from "./cases.js";
import type { Keys, TokenOptions } from "./cases.js";
import { PREDICTIONS_BODY, RESPOND_HEADER, startModelUpstream, TEST_ID_HEADER } from "./model-upstream.js";
import type { ModelUpstream, SeenRequest } from "./model-upstream.js";

const BUILT_MODULE = fileURLToPath(new URL("../../wasm-filter/build/modelguard.wasm", import.meta.url));
/** MODELGUARD_FILTER_WASM runs these cases against another build of the filter (never rebuilt here). */
const MODULE_PATH = process.env.MODELGUARD_FILTER_WASM ?? BUILT_MODULE;
const BUILD_SCRIPT = new URL("../../wasm-filter/scripts/build.mjs", import.meta.url).href;

/** Builds the module when a test runs before `npm run build:wasm`. */
async function ensureModule(): Promise<void> {
  if (existsSync(MODULE_PATH)) return;
  if (MODULE_PATH !== BUILT_MODULE) throw new Error(`MODELGUARD_FILTER_WASM=${MODULE_PATH} does not exist`);
  const build = (await import(BUILD_SCRIPT)) as {
    buildEntry: (e: { name: string; source: string; output: string }) => Promise<string>;
  };
  await build.buildEntry({ name: "modelguard", source: "assembly/index.ts", output: "build/modelguard.wasm" });
}

/** The filter config the translator emits for `spec`, exactly as the operator would. */
function filterConfigFor(spec: PolicySpecInput, detector?: DetectorEndpoint): string {
  const policy = { apiVersion: "modelguard.dev/v1alpha1", kind: "ModelEndpointPolicy", metadata: { name: "envoy-e2e", namespace: "models" }, spec };
  const parsed = policySchema.safeParse(policy);
  if (!parsed.success) throw new Error(`test policy is invalid: ${JSON.stringify(parsed.error.issues)}`);
  const t = translate({ policy, deployments: [], secrets: [], wasm: { url: "file:///modelguard.wasm" }, ...(detector ? { detector } : {}) });
  if (!t.filterConfig) throw new Error(`translate refused the test policy: ${JSON.stringify(t.diagnostics)}`);
  return JSON.stringify(t.filterConfig);
}

/** jwt_authn as Istio renders a RequestAuthentication without an AuthorizationPolicy: verify a
 *  token when present, let requests without one through, claims into dynamic metadata. */
function jwtAuthnFilter(jwks: string): Record<string, unknown> {
  return {
    name: "envoy.filters.http.jwt_authn",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
      providers: {
        [PROVIDER]: {
          issuer: ISSUER,
          audiences: [AUDIENCE],
          local_jwks: { inline_string: jwks },
          payload_in_metadata: "payload",
          forward: false,
        },
      },
      rules: [
        {
          match: { prefix: "/" },
          requires: { requires_any: { requirements: [{ provider_name: PROVIDER }, { allow_missing: {} }] } },
        },
      ],
    },
  };
}

interface SendOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Send the body with `transfer-encoding: chunked` (no content-length), in these pieces. */
  chunks?: string[];
}

let seq = 0;

interface SentResponse extends HttpResponse {
  /** The x-test-id the upstream records the request under. */
  testId: string;
  /** The x-request-id sent (Envoy keeps it: loopback clients are internal), as audit lines name it. */
  requestId: string;
}

/** Every filter denial the client saw (a response with x-modelguard-reason), for the audit check. */
const denialsSeen: { requestId: string; reason: string; status: number; path: string }[] = [];

function recordDenial(res: SentResponse, path: string): SentResponse {
  const reason = res.headers[REASON];
  if (typeof reason === "string") denialsSeen.push({ requestId: res.requestId, reason, status: res.status, path });
  return res;
}

/** One request on its own connection, tagged with a fresh x-test-id and x-request-id. */
async function send(base: string, path: string, opts: SendOptions = {}): Promise<SentResponse> {
  const testId = `t${++seq}`;
  const requestId = randomUUID();
  const headers: Record<string, string> = { [TEST_ID_HEADER]: testId, "x-request-id": requestId, ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const method = opts.method ?? (opts.body !== undefined || opts.chunks !== undefined ? "POST" : "GET");
  if (opts.chunks === undefined) {
    const res = await httpRequest(`${base}${path}`, { method, headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
    return recordDenial({ ...res, testId, requestId }, path);
  }
  const pieces = opts.chunks;
  const res = await new Promise<HttpResponse>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: { ...headers, "transfer-encoding": "chunked" }, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString("utf8") }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    // Envoy may answer (and close) before the whole body is written; the answer is what counts.
    req.on("error", reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
  return recordDenial({ ...res, testId, requestId }, path);
}

/** One POST over HTTP/2 cleartext (prior knowledge), its body written as the given DATA frames. */
async function sendH2(base: string, path: string, tk: string, frames: string[]): Promise<SentResponse> {
  const testId = `t${++seq}`;
  const requestId = randomUUID();
  const client = connect(base);
  try {
    const res = await new Promise<HttpResponse>((resolve, reject) => {
      client.on("error", reject);
      const req = client.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/json",
        authorization: `Bearer ${tk}`,
        [TEST_ID_HEADER]: testId,
        "x-request-id": requestId,
      });
      req.setTimeout(10_000, () => {
        req.close();
        reject(new Error(`h2 POST ${path} timed out`));
      });
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const parts: Buffer[] = [];
      req.on("response", (h) => {
        status = Number(h[":status"]);
        headers = h as IncomingHttpHeaders;
      });
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("error", reject);
      req.on("end", () => resolve({ status, headers, body: Buffer.concat(parts).toString("utf8") }));
      // Each frame is written once the previous one has been flushed, so they leave as separate
      // DATA frames (the last one carries END_STREAM).
      const writeFrom = (i: number): void => {
        const f = frames[i] ?? "";
        if (i >= frames.length - 1) req.end(f);
        else req.write(f, () => setImmediate(() => writeFrom(i + 1)));
      };
      writeFrom(0);
    });
    return recordDenial({ ...res, testId, requestId }, path);
  } finally {
    client.close();
  }
}

function describeSeen(s: SeenRequest | undefined): string {
  if (s === undefined) return "never saw the request";
  return `saw the headers; bodyLength ${s.bodyLength}, complete ${String(s.complete)}, aborted ${String(s.aborted)}`;
}

/** A denied request may have reached the model as headers (the router starts the upstream
 *  request once the headers callback continues) but never with any of its body. */
function assertNoBodyReached(s: SeenRequest | undefined): void {
  assert.ok(s === undefined || (!s.complete && s.bodyLength === 0), `the model received (part of) a denied body: ${describeSeen(s)}`);
}

interface AuditRecord {
  decision?: string;
  reason?: string;
  status?: number;
  policy?: string;
  tier?: string;
  requestId?: string;
}

/** The filter's audit lines in Envoy's log (`... wasm log modelguard modelguard: {json}`). */
function auditRecords(log: string): { lines: string[]; records: AuditRecord[] } {
  const lines = log.split("\n").filter((l) => l.includes('"modelguard":"audit"'));
  return { lines, records: lines.map((l) => JSON.parse(l.slice(l.indexOf('{"modelguard"'))) as AuditRecord) };
}

describe("the ModelGuard filter in a real Envoy (jwt_authn → wasm → router, 2 workers)", () => {
  let upstream: ModelUpstream | undefined;
  let envoy: EnvoyProcess | undefined;
  let keys: Keys;
  let base = "";
  let listenerPort = 0;
  const tokens: string[] = [];
  const started = Date.now();

  /** Mints a token and remembers it, to prove later that none reaches Envoy's log. */
  const token = async (claims: JWTPayload, opts: TokenOptions = {}): Promise<string> => {
    const t = await mint(keys, claims, opts);
    tokens.push(t);
    return t;
  };

  const seen = (testId: string): SeenRequest | undefined => upstream?.find(testId);

  /** How many requests the filter has decided so far (allowed + every denial counter). */
  const filterDecisions = async (): Promise<number> => {
    assert.ok(envoy);
    let n = 0;
    for (const v of (await envoy.stats("^wasmcustom\\.modelguard_requests_(allowed|denied_)")).values()) n += v;
    return n;
  };

  before(async () => {
    await ensureModule();
    keys = await makeKeys();
    upstream = await startModelUpstream();
    listenerPort = await freePort();
    envoy = await startEnvoy({
      name: "envoy-modelguard",
      concurrency: 2,
      // Audit lines are proxy_log at info; Envoy prints them under the wasm component.
      componentLogLevels: { wasm: "info" },
      config: proxyBootstrap({
        listenerPort,
        upstreamPort: upstream.port,
        httpFilters: [
          jwtAuthnFilter(keys.jwks),
          wasmHttpFilter({ name: "modelguard", code: { file: MODULE_PATH }, configuration: filterConfigFor(policySpec(keys.jwks)) }),
        ],
      }),
    });
    base = `http://127.0.0.1:${listenerPort}`;
  });

  after(async () => {
    await envoy?.stop();
    await upstream?.stop();
  });

  it("loads the module on V8 and configures it on every VM", async () => {
    assert.ok(envoy);
    assert.ok((await envoy.waitForStat("wasm.envoy.wasm.runtime.v8.created")) >= 1);
    assert.match(envoy.logs(), /modelguard: configured for policy models\/envoy-e2e/);
  });

  it("1. a valid JWT is allowed and the request reaches the model whole", async () => {
    const t = await token({ sub: "alice", tier: "free", scope: "predict" });
    const body = kserve([[1, 2, 3]]);
    const res = await send(base, "/v1/models/clf-a:predict", { token: t, headers: JSON_CT, body });
    assert.equal(res.status, 200, res.body);
    assert.equal(reasonOf(res), undefined);
    const s = seen(res.testId);
    assert.ok(s?.complete, "the upstream got the whole request");
    assert.equal(s.bodyLength, Buffer.byteLength(body));
    assert.equal(s.headers.authorization, undefined, "jwt_authn forward: false strips the token");

    // A GET without a body (end of stream on the headers) takes the headers-only path.
    const get = await send(base, "/v1/models/clf-a", { token: t });
    assert.equal(get.status, 200, get.body);
    assert.ok(seen(get.testId)?.complete);
  });

  it("1b. a chunked body (no content-length) is buffered, checked and forwarded whole", async () => {
    const t = await token({ sub: "alice", tier: "free" });
    const body = kserve([[1, 2, 3], [4, 5, 6]]);
    const res = await send(base, "/v1/models/clf-a:predict", { token: t, headers: JSON_CT, chunks: [body.slice(0, 10), body.slice(10)] });
    assert.equal(res.status, 200, res.body);
    assert.equal(seen(res.testId)?.bodyLength, Buffer.byteLength(body));
  });

  it("2. no token: jwt_authn lets it through (allow_missing) and the filter answers 401 unauthenticated", async () => {
    const res = await send(base, "/v1/models/clf-a:predict", { headers: JSON_CT, body: kserve([[1]]) });
    assertDenied(res, 401, "unauthenticated");
    assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
    assert.equal(seen(res.testId), undefined, "the upstream never saw the request");
  });

  it("3. bad signature, expired, wrong issuer, wrong audience, alg none: jwt_authn answers, the filter never runs", async () => {
    assert.ok(envoy);
    const bad = await invalidTokens(keys, { sub: "mallory", tier: "pro" });
    const deniedBefore = (await envoy.stat("http.ingress.jwt_authn.denied")) ?? 0;
    const filterBefore = await filterDecisions();
    for (const [what, t, status] of bad) {
      tokens.push(t);
      const res = await send(base, "/v1/models/clf-a:predict", { token: t, headers: JSON_CT, body: kserve([[1]]) });
      assert.equal(res.status, status, `${what}: ${res.status} ${res.body}`);
      assert.equal(reasonOf(res), undefined, `${what}: the filter must not have answered (${res.body})`);
      assert.equal(seen(res.testId), undefined, `${what}: the upstream saw the request`);
      assert.match(String(res.headers["www-authenticate"]), /^Bearer realm=.*error="invalid_token"/, what);
    }
    assert.equal((await envoy.stat("http.ingress.jwt_authn.denied")) ?? 0, deniedBefore + bad.length);
    assert.equal(await filterDecisions(), filterBefore, "the filter decided none of them");
  });

  it("4. forged identity headers are never trusted", async () => {
    const forged = { ...FORGED_IDENTITY_HEADERS, ...JSON_CT };
    const anon = await send(base, "/v1/models/pro-x:predict", { headers: forged, body: kserve([[1]]) });
    assertDenied(anon, 401, "unauthenticated");
    assert.equal(seen(anon.testId), undefined);

    const free = await token({ sub: "bob", tier: "free" });
    const res = await send(base, "/v1/models/pro-x:predict", { token: free, headers: forged, body: kserve([[1]]) });
    assertDenied(res, 403, "tier_not_allowed");
    assert.equal(seen(res.testId), undefined);

    const pro = await token({ sub: "carol", tier: "pro" });
    const ok = await send(base, "/v1/models/pro-x:predict", { token: pro, headers: JSON_CT, body: kserve([[1]]) });
    assert.equal(ok.status, 200, ok.body);
  });

  it("5. model × tier × scope: list and space-separated scope claims both work", async () => {
    const free = await token({ sub: "dave", tier: "free", scope: ["predict", "explain"] });
    assertDenied(await send(base, "/v1/models/pro-x:predict", { token: free, headers: JSON_CT, body: kserve([[1]]) }), 403, "tier_not_allowed");
    assertDenied(await send(base, "/v1/models/secret-x:predict", { token: free, headers: JSON_CT, body: kserve([[1]]) }), 403, "model_not_allowed");

    // A list claim has elements (path …\0scope\0<i>); the filter then reads it whole, in one call.
    const list = await send(base, "/v1/models/scoped-x:predict", { token: free, headers: JSON_CT, body: kserve([[1]]) });
    assert.equal(list.status, 200, `scope as a JSON array: ${list.status} ${list.body}`);
    const long = await token({ sub: "dave", tier: "free", scope: [...Array.from({ length: 150 }, (_, i) => `s${i}`), "explain", "predict"] });
    const longList = await send(base, "/v1/models/scoped-x:predict", { token: long, headers: JSON_CT, body: kserve([[1]]) });
    assert.equal(longList.status, 200, `needed scopes after 150 others: ${longList.status} ${longList.body}`);
    const spaced = await token({ sub: "dave", tier: "free", scope: "predict explain" });
    const str = await send(base, "/v1/models/scoped-x:predict", { token: spaced, headers: JSON_CT, body: kserve([[1]]) });
    assert.equal(str.status, 200, `scope as a space-separated string: ${str.status} ${str.body}`);
    const partialList = await token({ sub: "dave", tier: "free", scope: ["predict"] });
    assertDenied(await send(base, "/v1/models/scoped-x:predict", { token: partialList, headers: JSON_CT, body: kserve([[1]]) }), 403, "scope_missing");
    const partialStr = await token({ sub: "dave", tier: "free", scope: "predict" });
    assertDenied(await send(base, "/v1/models/scoped-x:predict", { token: partialStr, headers: JSON_CT, body: kserve([[1]]) }), 403, "scope_missing");
  });

  it("5b. a model named in the body (OpenAI-style) is authorised once the body is read", async (t) => {
    const free = await token({ sub: "erin", tier: "free" });
    const chat = JSON.stringify({ model: "chat-large", messages: [{ role: "user", content: "hi" }] });
    const res = await send(base, "/v1/chat/completions", { token: free, headers: JSON_CT, body: chat });
    // The headers callback had to continue (the body must be read), so the router may already have
    // opened the upstream stream; the body itself must never reach the model.
    t.diagnostic(`body-phase answer ${res.status} ${reasonOf(res) ?? "-"}; upstream: ${describeSeen(seen(res.testId))}`);
    assertDenied(res, 403, "tier_not_allowed");
    assertNoBodyReached(seen(res.testId));

    const pro = await token({ sub: "erin", tier: "pro" });
    const ok = await send(base, "/v1/chat/completions", { token: pro, headers: JSON_CT, body: chat });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(seen(ok.testId)?.bodyLength, Buffer.byteLength(chat));
  });

  it("6. quota: the 4th request of a 3-per-hour client gets 429, across connections and both workers", async (t) => {
    assert.ok(envoy);
    const t3 = await token({ sub: `quota-${Date.now()}`, tier: "metered" });
    const worker = async (): Promise<number[]> => {
      const stats = await envoy!.stats(`^listener\\.127\\.0\\.0\\.1_${listenerPort}\\.worker_\\d+\\.downstream_cx_total$`);
      return [...stats.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
    };
    const used = new Set<number>();
    const results: HttpResponse[] = [];
    // Each request on its own connection; the kernel spreads connections over the two workers, but
    // on a busy machine one worker may accept many in a row: keep going (bounded) until both did.
    for (let i = 0; i < 64; i++) {
      const before = await worker();
      results.push(await send(base, "/v1/models/clf-a:predict", { token: t3, headers: JSON_CT, body: kserve([[i]]) }));
      const afterCounts = await worker();
      afterCounts.forEach((v, w) => {
        if (v > (before[w] ?? 0)) used.add(w);
      });
      if (i >= 3 && used.size >= 2) break;
    }
    const [a, b, c, ...rest] = results;
    for (const [i, r] of [a, b, c].entries()) {
      assert.ok(r);
      assert.equal(r.status, 200, `request ${i + 1}: ${r.status} ${r.body}`);
      assert.equal(r.headers["x-ratelimit-limit"], "3");
      assert.equal(r.headers["x-ratelimit-remaining"], String(2 - i), `remaining after request ${i + 1}`);
    }
    assert.ok(rest.length >= 1);
    for (const r of rest) {
      assertDenied(r, 429, "quota_exceeded");
      assert.match(String(r.headers["retry-after"]), /^\d+$/);
      assert.ok(Number(r.headers["retry-after"]) > 0);
      assert.equal(r.headers["x-ratelimit-limit"], "3");
      assert.equal(r.headers["x-ratelimit-remaining"], "0");
      assert.match(String(r.headers["x-ratelimit-reset"]), /^\d+$/);
    }
    t.diagnostic(`quota requests: ${results.length}, workers used: ${[...used].sort().join(",")}`);
    assert.equal(used.size, 2, "both worker threads served requests of this client (shared data across VMs)");
  });

  it("7a. payload: 413 body_too_large from content-length, before any byte moves", async () => {
    const tk = await token({ sub: "frank", tier: "free" });
    const res = await send(base, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: kserve([["x".repeat(MAX_BODY)]]) });
    assertDenied(res, 413, "body_too_large");
    assert.equal(seen(res.testId), undefined);
  });

  it("7b. payload: 413 body_too_large from the streamed size (chunked, no content-length)", async (t) => {
    const tk = await token({ sub: "frank", tier: "free" });
    const big = kserve([["x".repeat(MAX_BODY)]]);
    const res = await send(base, "/v1/models/clf-a:predict", {
      token: tk, headers: JSON_CT, chunks: [big.slice(0, 2000), big.slice(2000, 4000), big.slice(4000)],
    });
    t.diagnostic(`streamed 413: upstream: ${describeSeen(seen(res.testId))}`);
    assertDenied(res, 413, "body_too_large");
    assertNoBodyReached(seen(res.testId));
  });

  it("7c. payload: 415 content_type_unsupported", async () => {
    const tk = await token({ sub: "frank", tier: "free" });
    const res = await send(base, "/v1/models/clf-a:predict", { token: tk, headers: { "content-type": "text/plain" }, body: "hello" });
    assertDenied(res, 415, "content_type_unsupported");
    assert.equal(seen(res.testId), undefined);
  });

  // Envoy answers proxy_get_header_map_value(request headers) with BadArgument in body callbacks
  // once the headers callback has continued: whatever a body decision needs from the headers
  // (content-type, x-request-id) must have been read in the headers callback. 5b, 7d, 7e, 7f and
  // 10b fail when it is not.
  it("7d. payload: 400 json_malformed", async (t) => {
    const tk = await token({ sub: "frank", tier: "free" });
    const res = await send(base, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: '{"instances": [1, 2' });
    t.diagnostic(`malformed JSON: ${res.status} ${reasonOf(res) ?? "-"}; upstream: ${describeSeen(seen(res.testId))}`);
    assertDenied(res, 400, "json_malformed");
    assertNoBodyReached(seen(res.testId));
  });

  it("7e. payload: SSRF in a KServe instance URL → 400 url_private_address; a public URL passes", async (t) => {
    const tk = await token({ sub: "frank", tier: "free" });
    const ssrf = await send(base, "/v1/models/clf-a:predict", {
      token: tk, headers: JSON_CT, body: kserve([{ image_url: SSRF_URL }]),
    });
    t.diagnostic(`SSRF: ${ssrf.status} ${reasonOf(ssrf) ?? "-"}; upstream: ${describeSeen(seen(ssrf.testId))}`);
    assertDenied(ssrf, 400, "url_private_address");
    assertNoBodyReached(seen(ssrf.testId));
    const publicUrl = await send(base, "/v1/models/clf-a:predict", {
      token: tk, headers: JSON_CT, body: kserve([{ image_url: "https://images.example.com/cat.png" }]),
    });
    assert.equal(publicUrl.status, 200, publicUrl.body);
  });

  it("7g. payload: a bad base64 image → 400 image_malformed; a real PNG passes", async () => {
    const tk = await token({ sub: "gina", tier: "free" });
    const bad = await send(base, "/v1/models/clf-a:predict", {
      token: tk, headers: JSON_CT, body: kserve([{ image_b64: "%%%not-base64%%%" }]),
    });
    assertDenied(bad, 400, "image_malformed");
    assertNoBodyReached(seen(bad.testId));
    const ok = await send(base, "/v1/models/clf-a:predict", { token: tk, headers: JSON_CT, body: kserve([{ image_b64: PNG_1X1 }]) });
    assert.equal(ok.status, 200, ok.body);
  });

  it("7f. HTTP/2 (h2c): a body in several DATA frames is checked whole and forwarded whole", async (t) => {
    const tk = await token({ sub: "frank", tier: "free" });
    const good = kserve([[1, 2, 3], [4, 5, 6]]);
    const ok = await sendH2(base, "/v1/models/clf-a:predict", tk, [good.slice(0, 7), good.slice(7)]);
    assert.equal(ok.status, 200, ok.body);
    assert.equal(seen(ok.testId)?.bodyLength, Buffer.byteLength(good), "the whole body reached the model");
    // The private URL sits in the last DATA frame: a filter that misses the final frame passes it.
    const ssrf = kserve([{ image_url: "http://169.254.169.254/" }]);
    const res = await sendH2(base, "/v1/models/clf-a:predict", tk, [ssrf.slice(0, 20), ssrf.slice(20)]);
    t.diagnostic(`h2 SSRF: ${res.status} ${reasonOf(res) ?? "-"}; upstream: ${describeSeen(seen(res.testId))}`);
    assertDenied(res, 400, "url_private_address");
    assertNoBodyReached(seen(res.testId));
  });

  for (const mode of ["predictions", "predictions-chunked"] as const) {
    it(`8. response hardening (${mode === "predictions" ? "content-length" : "chunked, two writes"}): probabilities rounded, no stale content-length`, async () => {
      const tk = await token({ sub: "grace", tier: "free" });
      const res = await send(base, "/v1/models/clf-a:predict", { token: tk, headers: { ...JSON_CT, [RESPOND_HEADER]: mode }, body: kserve([[1]]) });
      assert.equal(res.status, 200, res.body);
      assert.notEqual(res.body, PREDICTIONS_BODY, "the response was rewritten");
      assert.deepEqual(JSON.parse(res.body), { predictions: [[0.12, 0.88]] });
      const cl = res.headers["content-length"];
      if (cl !== undefined) assert.equal(Number(cl), Buffer.byteLength(res.body), "content-length matches the rewritten body");
      else assert.equal(res.headers["transfer-encoding"], "chunked");
    });
  }

  it("9. metrics: the filter's counters are Envoy stats (and Prometheus series)", async (t) => {
    assert.ok(envoy);
    const stats = await envoy.stats("modelguard");
    const names = [...stats.keys()].sort();
    t.diagnostic(`/stats names: ${names.filter((n) => (stats.get(n) ?? 0) > 0).map((n) => `${n}=${stats.get(n)}`).join(" ")}`);
    assert.ok((stats.get("wasmcustom.modelguard_requests_allowed") ?? 0) > 0, names.join(" "));
    assert.ok((stats.get("wasmcustom.modelguard_requests_denied_quota_exceeded") ?? 0) >= 1);
    assert.ok((stats.get("wasmcustom.modelguard_requests_denied_unauthenticated") ?? 0) >= 2);
    assert.ok((stats.get("wasmcustom.modelguard_responses_hardened") ?? 0) >= 1);
    const prom = await envoy.prometheusStats();
    const series = prom.split("\n").filter((l) => l.includes("modelguard") && !l.startsWith("#") && !/ 0$/.test(l));
    t.diagnostic(`prometheus: ${series.join(" | ")}`);
    assert.match(prom, /^modelguard_requests_allowed\{?.*\}? [1-9]\d*$/m);
    assert.match(prom, /^modelguard_requests_denied_quota_exceeded\{?.*\}? [1-9]\d*$/m);
  });

  it("10a. audit: Envoy's log holds one JSON line for each denial the client saw", async (t) => {
    assert.ok(envoy);
    const { lines, records } = auditRecords(envoy.logs());
    t.diagnostic(`audit lines: ${records.length}, filter denials seen by clients: ${denialsSeen.length}; example: ${lines[0] ?? "(none)"}`);
    assert.ok(denialsSeen.length >= 8);
    for (const r of records) {
      assert.equal(r.decision, "deny", JSON.stringify(r));
      assert.equal(r.policy, "models/envoy-e2e");
    }
    // allowSamplePercent is 0: every audit line is a denial, one per denial.
    assert.equal(records.length, denialsSeen.length, "one audit line per denial");
    const byReason = (reason: string) => records.filter((r) => r.reason === reason).length;
    for (const reason of new Set(denialsSeen.map((d) => d.reason))) {
      assert.equal(byReason(reason), denialsSeen.filter((d) => d.reason === reason).length, `audit lines for ${reason}`);
    }
    const quota = records.find((r) => r.reason === "quota_exceeded");
    assert.equal(quota?.tier, "metered");
    assert.equal(quota?.status, 429);
  });

  it("10b. audit: every line names the request (x-request-id), also for denials decided on the body", async () => {
    assert.ok(envoy);
    const { records } = auditRecords(envoy.logs());
    const missing = denialsSeen.filter((d) => !records.some((r) => r.requestId === d.requestId && r.reason === d.reason && r.status === d.status));
    assert.deepEqual(
      missing.map((d) => `${d.reason} ${d.path}`),
      [],
      `denials without an audit line carrying their x-request-id; lines with an empty requestId: ${records.filter((r) => r.requestId === "").map((r) => r.reason).join(",")}`,
    );
  });

  it("10c. no token, nor any part of one, ever reaches Envoy's log", async () => {
    assert.ok(envoy);
    const log = envoy.logs();
    assert.ok(tokens.length > 5);
    for (const tk of tokens) {
      for (const part of tk.split(".")) {
        if (part.length >= 16) assert.ok(!log.includes(part), "a token (or part of one) is in Envoy's log");
      }
    }
    assert.doesNotMatch(log, /Bearer ey/);
  });

  it("reports how long the shared-Envoy cases took", (t) => {
    t.diagnostic(`elapsed since before(): ${Date.now() - started} ms`);
  });
});

describe("a plugin configuration the filter cannot read", () => {
  it("11. `{}`: Envoy refuses the plugin at start, or every request fails closed", async (t) => {
    await ensureModule();
    const upstream = await startModelUpstream();
    let envoy: EnvoyProcess | undefined;
    try {
      const listenerPort = await freePort();
      const config = proxyBootstrap({
        listenerPort,
        upstreamPort: upstream.port,
        httpFilters: [wasmHttpFilter({ name: "modelguard", code: { file: MODULE_PATH }, configuration: "{}" })],
      });
      try {
        envoy = await startEnvoy({ name: "envoy-modelguard-badconfig", concurrency: 2, componentLogLevels: { wasm: "info" }, config, readyTimeoutMs: 30_000 });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        t.diagnostic(`Envoy refused to start: ${message.split("\n").filter((l) => /modelguard|Wasm|wasm/.test(l)).slice(0, 4).join(" / ")}`);
        assert.match(message, /modelguard: configuration rejected, failing closed/);
        assert.match(message, /Failed to configure base Wasm plugin|Unable to create Wasm plugin/);
        return;
      }
      // Envoy came up: then no request may get through.
      const res = await pollUntil(async () => send(`http://127.0.0.1:${listenerPort}`, "/v1/models/clf-a:predict", { headers: JSON_CT, body: "{}" }), {
        what: "an answer from the badly configured Envoy", timeoutMs: 10_000,
      });
      t.diagnostic(`Envoy started; a request got ${res.status} ${reasonOf(res) ?? ""} ${res.body}`);
      assert.ok(res.status >= 500 || reasonOf(res) === "config_invalid", `request was not failed closed: ${res.status}`);
      assert.equal(upstream.seen.length, 0);
    } finally {
      await envoy?.stop();
      await upstream.stop();
    }
  });
});

describe("cluster-wide detection reports from a real Envoy", () => {
  it("12. each VM sends its batch from the tick with proxy_http_call: signed, schema-valid, sketches equal to the detector's", async () => {
    await ensureModule();
    const keys = await makeKeys();
    const upstream = await startModelUpstream();
    // The operator's report endpoint, reduced to what this test checks: it keeps what it is sent.
    const received: { authorization: string | undefined; authority: string | undefined; body: string }[] = [];
    const detector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ authorization: req.headers.authorization, authority: req.headers.host, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(202).end("accepted\n");
      });
    });
    await new Promise<void>((resolve) => detector.listen(0, "127.0.0.1", resolve));
    const detectorPort = (detector.address() as AddressInfo).port;
    let envoy: EnvoyProcess | undefined;
    try {
      // The name a sidecar would get from Istio for the operator's Service; here a loopback cluster.
      const endpoint: DetectorEndpoint = { url: `http://modelguard.modelguard-system.svc.cluster.local:${String(detectorPort)}`, key: "k".repeat(40) };
      const { cluster } = istioCluster(endpoint.url);
      const listenerPort = await freePort();
      envoy = await startEnvoy({
        name: "envoy-modelguard-reports",
        concurrency: 2,
        componentLogLevels: { wasm: "info" },
        config: proxyBootstrap({
          listenerPort,
          upstreamPort: upstream.port,
          clusters: [loopbackCluster(cluster, detectorPort)],
          httpFilters: [
            jwtAuthnFilter(keys.jwks),
            wasmHttpFilter({ name: "modelguard", code: { file: MODULE_PATH }, configuration: filterConfigFor({ ...policySpec(keys.jwks), detection: {} }, endpoint) }),
          ],
        }),
      });
      const base = `http://127.0.0.1:${String(listenerPort)}`;
      const t = await mint(keys, { sub: "reporter-alice", tier: "free", scope: "predict" });
      const bodies = [kserve([[1, 2, 3]]), kserve([[1, 2, 4]]), kserve([[0.5, -7, 1e3]])];
      for (const body of bodies) assert.equal((await send(base, "/v1/models/clf-a:predict", { token: t, headers: JSON_CT, body })).status, 200);
      const denied = await send(base, "/v1/models/clf-a:predict", { token: t, headers: JSON_CT, body: "{not json" });
      assert.equal(denied.status, 400);

      // The VMs flush every 2 s; wait until every request's record has arrived.
      const reports = await pollUntil(
        async () => {
          const rs = received.map((r) => reportSchema.parse(JSON.parse(r.body)) as Report);
          const n = rs.flatMap((r) => r.clients).filter((c) => c.client === "reporter-alice").reduce((k, c) => k + c.records.length, 0);
          return n >= 4 ? rs : undefined;
        },
        { timeoutMs: 15_000, what: "reports with all four records" },
      );
      for (const r of received) {
        assert.equal(r.authorization, `Bearer ${reportToken(endpoint.key, "models/envoy-e2e")}`);
        assert.equal(r.authority, `modelguard.modelguard-system.svc.cluster.local:${String(detectorPort)}`);
      }
      const records = reports.flatMap((r) => r.clients).filter((c) => c.client === "reporter-alice").flatMap((c) => c.records);
      assert.deepEqual(records.filter((x) => x.status === 200).map((x) => x.x).sort(), bodies.map((b) => sketchOf(b)).sort());
      const refused = records.find((x) => x.status !== 200);
      assert.equal(refused?.status, 400);
      assert.equal(refused?.reason, reasonOf(denied));
      assert.equal(refused?.x, undefined, "a body that is not JSON has no sketch");
      assert.ok(reports.every((r) => r.policy === "models/envoy-e2e" && /#/.test(r.source)));
      assert.ok((await envoy.waitForStat("wasmcustom.modelguard_detector_reports_sent")) >= 1);
    } finally {
      await envoy?.stop();
      await upstream.stop();
      await new Promise<void>((resolve) => detector.close(() => resolve()));
    }
  });
});
