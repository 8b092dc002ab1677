// `npm run bench:envoy`: what the ModelGuard filter costs in a real Envoy.
//
// Two Envoys from the same renderer (`modelguard render --target envoy`, run in-process) for one
// policy: "filter" is the rendered bootstrap as is (jwt_authn → rbac → ModelGuard wasm → router),
// "baseline" is the same bootstrap with the wasm filter entry deleted (the renderer has no flag to
// leave it out). Both proxy to the same minimal Node upstream (a worker thread, fixed answers), on
// 127.0.0.1, each with `--concurrency 1` so the comparison is one worker thread against one worker
// thread on this 2-core machine (the load generator and the upstream share the cores with Envoy).
//
// Workloads, each with the same valid JWT: (a) header-only GET /v1/models, (b) 4 KB JSON chat POST
// /v1/chat/completions. For each: (1) max throughput with a fixed number of keep-alive connections
// (node:http Agent) for a bounded time, in ABBA rounds → requests/s, Envoy CPU per request (from
// /proc: the steadier figure on a shared machine), ratio filter/baseline; (2) latency at a fixed
// rate to both Envoys at once, interleaved → p50/p99 for both and what the filter adds. Prints a
// table; asserts nothing. Every process it starts is stopped, also on failure or Ctrl-C.
//
//   npm run bench:envoy [-- --seconds 5 --connections 16 --rate 200 --latency-seconds 5 --policy full|minimal]
//                          [--variants baseline,passthrough,floor,filter] [--wasm-debug]
//
// --policy full (default): a policy like examples/llm-chat.yaml. --policy minimal: JWT, one tier,
// one rule and nothing else, to tell the cost of the wasm hop itself from the cost of the checks.
// --variants: which Envoys to compare (default baseline,filter). "passthrough" is the same
// bootstrap with the module replaced by build/fixtures/passthrough.wasm (one header read per
// stream): the fixed cost of any wasm filter in Envoy (VM calls, context per stream), apart from
// ours. "floor" runs build/fixtures/hostcall-floor.wasm: only the host calls the filter makes for
// an allowed header-only request (headers, two claims, clock, shared data, a counter, rate-limit
// headers), no checks: what those crossings cost before any of the filter's own code. --wasm-debug: Envoy's wasm component logs at debug; the wasm lines and admin wasm.* stats
// are printed at the end (how V8 loaded the module).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { stringify } from "yaml";
import { runRender } from "../../operator/src/cli/render.js";
import { dataPlaneVersions, envoyBinary } from "../harness/envoy/binaries.js";
import { startEnvoy } from "../harness/envoy/envoy.js";
import type { EnvoyProcess } from "../harness/envoy/envoy.js";
import { freePort } from "../harness/ports.js";
import { stopStack } from "../harness/stop-stack.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILT_WASM = join(ROOT, "wasm-filter/build/modelguard.wasm");
const WASM_FILTER = "envoy.filters.http.wasm";
const ISSUER = "https://idp.bench.test";
const AUDIENCE = "bench";
const KID = "bench-key";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "16" },
    rate: { type: "string", default: "200" },
    "latency-seconds": { type: "string", default: "5" },
    "warmup-seconds": { type: "string", default: "1" },
    "wasm-file": { type: "string" },
    policy: { type: "string", default: "full" },
    variants: { type: "string", default: "baseline,filter" },
    "wasm-debug": { type: "boolean", default: false },
  },
  strict: true,
});

/** A bounded number from a flag: benches must end. */
function bounded(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return n;
}
const SECONDS = bounded("seconds", flags.seconds, 1, 60);
const CONNECTIONS = Math.round(bounded("connections", flags.connections, 1, 256));
const RATE = Math.round(bounded("rate", flags.rate, 1, 5000));
const LATENCY_SECONDS = bounded("latency-seconds", flags["latency-seconds"], 1, 60);
const WARMUP_SECONDS = bounded("warmup-seconds", flags["warmup-seconds"], 0, 30);
const WASM = flags["wasm-file"] ?? BUILT_WASM;
if (flags.policy !== "full" && flags.policy !== "minimal") throw new Error("--policy must be full or minimal");
const POLICY = flags.policy;
const PASSTHROUGH_WASM = join(ROOT, "wasm-filter/build/fixtures/passthrough.wasm");
const FLOOR_WASM = join(ROOT, "wasm-filter/build/fixtures/hostcall-floor.wasm");
/** Variants that swap in one of the project's fixture modules. */
const FIXTURE_WASM = new Map<string, string>([["passthrough", PASSTHROUGH_WASM], ["floor", FLOOR_WASM]]);
const RESERVED = ["baseline", "filter", ...FIXTURE_WASM.keys()];
/** "baseline" (no wasm filter), "passthrough", "floor", "filter", or any other module as `name=file.wasm`
 *  (same configuration; for comparing builds in one run). */
type Label = string;
const EXTRA_WASM = new Map<Label, string>();
const VARIANTS: Label[] = (flags.variants ?? "").split(",").map((v) => {
  const t = v.trim();
  const eq = t.indexOf("=");
  if (eq > 0) {
    const name = t.slice(0, eq);
    if (RESERVED.includes(name)) throw new Error(`--variants: ${name} is reserved`);
    EXTRA_WASM.set(name, t.slice(eq + 1));
    return name;
  }
  if (!RESERVED.includes(t)) throw new Error(`--variants: ${t} is not ${RESERVED.join(", ")} or name=file.wasm`);
  return t;
});
if (!VARIANTS.includes("baseline") || !VARIANTS.includes("filter") || new Set(VARIANTS).size !== VARIANTS.length) {
  throw new Error("--variants must name baseline and filter once each (passthrough, floor and name=file.wasm optional)");
}
const WASM_DEBUG = flags["wasm-debug"] ?? false;

const say = (line = "") => process.stdout.write(`${line}\n`);

// Everything started is stopped in reverse order, on success, failure or Ctrl-C.
const stops = stopStack(say, () => 130);

/** A policy like examples/llm-chat.yaml (JWT, tiers, rules, payload and prompt checks, extraction
 *  scoring, response hardening), with quotas no bench reaches, extraction in Log mode (it scores
 *  every request, never denies) and no `rateLimit`: the global descriptors read headers only the
 *  filter sets, so only the filter's Envoy would call a ratelimit service, an unfair comparison. */
function benchPolicy(jwks: string): Record<string, unknown> {
  const huge = 1_000_000_000;
  if (POLICY === "minimal") {
    return {
      apiVersion: "modelguard.dev/v1alpha1",
      kind: "ModelEndpointPolicy",
      metadata: { name: "bench", namespace: "bench" },
      spec: {
        protocol: "OpenAI",
        authentication: { jwt: [{ name: "bench-idp", issuer: ISSUER, jwks, audiences: [AUDIENCE] }] },
        tiers: [{ name: "bench", requestsPerSecond: 1_000_000 }],
        rules: [{ name: "all", models: ["*"] }],
        audit: { allowSamplePercent: 0 },
      },
    };
  }
  return {
    apiVersion: "modelguard.dev/v1alpha1",
    kind: "ModelEndpointPolicy",
    metadata: { name: "bench", namespace: "bench" },
    spec: {
      protocol: "OpenAI",
      authentication: { jwt: [{ name: "bench-idp", issuer: ISSUER, jwks, audiences: [AUDIENCE] }] },
      identity: { clientIdClaim: "sub", tierClaim: "tier", scopeClaim: "scope" },
      tiers: [{ name: "bench", requestsPerSecond: 1_000_000, requestsPerDay: huge, tokensPerMinute: huge, tokensPerDay: huge, maxTokensPerRequest: 4096 }],
      rules: [
        { name: "chat", models: ["llama-3-8b*", "mistral-7b*"], methods: ["POST"], paths: ["/v1/chat/completions", "/v1/completions"] },
        { name: "model-list", models: ["*"], methods: ["GET"], paths: ["/v1/models"] },
      ],
      payload: {
        maxBodyBytes: 262144,
        contentTypes: ["application/json"],
        json: { maxDepth: 16, maxArrayLength: 1024 },
        fields: [
          { path: "messages", type: "array", maxLength: 256 },
          { path: "messages[*].role", type: "string", enum: ["system", "user", "assistant", "tool"] },
          { path: "temperature", type: "number", minimum: 0, maximum: 2 },
          { path: "max_tokens", type: "integer", minimum: 1, maximum: 4096 },
        ],
        prompts: {
          fields: ["messages[*].content", "prompt"],
          denyPatterns: ["ignore previous instructions", "ignore all previous instructions", "reveal your system prompt", "-----BEGIN * PRIVATE KEY-----"],
          maxChars: 65536,
        },
      },
      extraction: { action: "Log", windowSeconds: 600, minRequests: 100 },
      response: { stripFields: ["choices[*].logprobs"] },
      audit: { allowSamplePercent: 5 },
    },
  };
}

/** A 4096-byte OpenAI chat request (no deny pattern in it). */
function chatBody(bytes = 4096): Buffer {
  const base = {
    model: "llama-3-8b-instruct",
    messages: [
      { role: "system", content: "You are a concise assistant for an internal engineering wiki." },
      { role: "user", content: "" },
    ],
    max_tokens: 64,
    temperature: 0.7,
  };
  const filler = "Summarise the trade-offs between batching and streaming inference for large language models. ";
  const room = bytes - JSON.stringify(base).length;
  base.messages[1] = { role: "user", content: filler.repeat(Math.ceil(room / filler.length)).slice(0, room) };
  const body = Buffer.from(JSON.stringify(base));
  if (body.length !== bytes) throw new Error(`chat body is ${body.length} bytes, not ${bytes}`);
  return body;
}

// The upstream: fixed answers, in a worker thread so it has its own event loop (and core time)
// apart from the load generator. Plain JavaScript, evaluated by the worker.
const UPSTREAM_SOURCE = `
const { parentPort } = require("node:worker_threads");
const http = require("node:http");
const models = Buffer.from(JSON.stringify({ object: "list", data: ["llama-3-8b-instruct", "mistral-7b-instruct"].map((id) => ({ id, object: "model", created: 1700000000, owned_by: "bench" })) }));
const chat = Buffer.from(JSON.stringify({
  id: "chatcmpl-bench", object: "chat.completion", created: 1700000000, model: "llama-3-8b-instruct",
  choices: [{ index: 0, message: { role: "assistant", content: "Batching raises throughput; streaming lowers time to first token." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 900, completion_tokens: 14, total_tokens: 914 },
}));
const server = http.createServer((req, res) => {
  const body = req.method === "GET" ? models : chat;
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  req.resume();
});
server.keepAliveTimeout = 120000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

async function startUpstream(): Promise<{ port: number; stop: () => Promise<void> }> {
  const worker = new Worker(UPSTREAM_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", (m: unknown) => (typeof m === "number" ? resolve(m) : reject(new Error(`upstream said ${String(m)}`))));
    worker.once("error", reject);
  });
  return { port, stop: async () => void (await worker.terminate()) };
}

/** `modelguard render --target envoy -o json`, in-process. */
function render(policyFile: string, listenerPort: number, upstreamPort: number): Record<string, unknown> {
  let out = "";
  let err = "";
  const code = runRender(
    ["--target", "envoy", "-f", policyFile, "-o", "json", "--listener-address", "127.0.0.1", "--listener-port", String(listenerPort), "--upstream", `127.0.0.1:${upstreamPort}`, "--wasm-file", WASM],
    { out: (s) => (out += s), err: (s) => (err += s) },
  );
  if (code !== 0) throw new Error(`render --target envoy exited ${code}: ${err}`);
  return JSON.parse(out) as Record<string, unknown>;
}

interface NamedFilter {
  name?: string;
}

/** The rendered HCM's http_filters (the object is the renderer's, so the path is fixed). */
function httpFilters(bootstrap: Record<string, unknown>): NamedFilter[] {
  const b = bootstrap as { static_resources?: { listeners?: { filter_chains?: { filters?: { typed_config?: { http_filters?: NamedFilter[] } }[] }[] }[] } };
  const filters = b.static_resources?.listeners?.[0]?.filter_chains?.[0]?.filters?.[0]?.typed_config?.http_filters;
  if (!filters) throw new Error("rendered bootstrap has no http_filters where expected");
  return filters;
}

/** The same bootstrap with the module file replaced (same configuration, same vm_id). */
function withModule(bootstrap: Record<string, unknown>, file: string): Record<string, unknown> {
  const copy = structuredClone(bootstrap);
  const f = httpFilters(copy).find((x) => x.name === WASM_FILTER) as
    | { typed_config?: { config?: { vm_config?: { code?: { local?: { filename?: string } } } } } }
    | undefined;
  const local = f?.typed_config?.config?.vm_config?.code?.local;
  if (!local) throw new Error(`rendered ${WASM_FILTER} has no vm_config.code.local`);
  local.filename = file;
  return copy;
}

/** The same bootstrap with the ModelGuard wasm filter deleted. */
function withoutFilter(bootstrap: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(bootstrap);
  const filters = httpFilters(copy);
  const i = filters.findIndex((f) => f.name === WASM_FILTER);
  if (i < 0) throw new Error(`rendered bootstrap has no ${WASM_FILTER}`);
  filters.splice(i, 1);
  return copy;
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** The Envoy process's pid, found by its unique --config-path (the harness does not expose it). */
function envoyPid(envoy: EnvoyProcess): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.includes(envoy.configPath)) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

/** User + system CPU seconds of a process so far (undefined when it cannot be read). */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ", fields[11] is utime and fields[12] stime (stat(5) fields 14 and 15).
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

interface Workload {
  name: string;
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string | number>;
  body?: Buffer;
}

interface Target {
  label: Label;
  port: number;
  envoy: EnvoyProcess;
  pid: number | undefined;
}

/** One request on a keep-alive agent; resolves with the status once the response is read. */
function send(agent: Agent, port: number, w: Workload): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: w.method, path: w.path, headers: w.headers, agent }, (res) => {
      res.on("error", reject);
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${w.method} ${w.path} timed out`)));
    req.on("error", reject);
    req.end(w.body);
  });
}

interface Outcome {
  ok: number;
  /** Non-200 answers by status, and transport errors as "error". */
  failures: Map<string, number>;
}

const fail = (o: Outcome, key: string) => o.failures.set(key, (o.failures.get(key) ?? 0) + 1);

interface Throughput extends Outcome {
  rps: number;
  /** Envoy CPU per request, µs (process user + system). */
  cpuUsPerReq: number | undefined;
}

interface Sample extends Outcome {
  seconds: number;
  /** Envoy CPU seconds used meanwhile. */
  cpu: number | undefined;
}

const answered = (o: Outcome) => o.ok + [...o.failures.values()].reduce((a, b) => a + b, 0);

/** `CONNECTIONS` closed loops on keep-alive connections to one Envoy for `seconds`. */
async function closedLoop(t: Target, w: Workload, seconds: number): Promise<Sample> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const outcome: Outcome = { ok: 0, failures: new Map() };
  const cpu0 = cpuSeconds(t.pid);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        try {
          const status = await send(agent, t.port, w);
          if (status === 200) outcome.ok++;
          else fail(outcome, String(status));
        } catch {
          fail(outcome, "error");
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu1 = cpuSeconds(t.pid);
  agent.destroy();
  return { ...outcome, seconds: elapsed, cpu: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined };
}

/** Max throughput of both Envoys in ABBA rounds (baseline, filter, filter, baseline; half the time
 *  each), so drift on a shared machine weighs on both alike. */
async function throughputPair(targets: Target[], w: Workload, seconds: number): Promise<Map<Label, Throughput>> {
  const samples = new Map<Label, Sample[]>(targets.map((t) => [t.label, []]));
  for (const t of [...targets, ...[...targets].reverse()]) samples.get(t.label)?.push(await closedLoop(t, w, seconds / 2));
  const out = new Map<Label, Throughput>();
  for (const [label, list] of samples) {
    const failures = new Map<string, number>();
    for (const s of list) for (const [k, n] of s.failures) failures.set(k, (failures.get(k) ?? 0) + n);
    const ok = list.reduce((a, s) => a + s.ok, 0);
    const total = list.reduce((a, s) => a + answered(s), 0);
    const elapsed = list.reduce((a, s) => a + s.seconds, 0);
    const cpu = list.every((s) => s.cpu !== undefined) ? list.reduce((a, s) => a + (s.cpu ?? 0), 0) : undefined;
    out.set(label, { ok, failures, rps: ok / elapsed, cpuUsPerReq: cpu !== undefined && total > 0 ? (cpu * 1e6) / total : undefined });
  }
  return out;
}

interface Latency extends Outcome {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Open loop against all targets at once, interleaved: target k gets request i at
 *  start + (i + k/n)/rate, whether or not earlier ones have answered, so a slow answer cannot
 *  delay the schedule and both Envoys see the same machine at the same time. Latency (ms) is from
 *  send to the end of the response. */
async function fixedRate(targets: Target[], w: Workload, rate: number, seconds: number): Promise<Map<Label, Latency>> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 64 }));
  const outcomes = targets.map((): Outcome => ({ ok: 0, failures: new Map() }));
  const latencies = targets.map((): number[] => []);
  const slots = Math.round(rate * seconds) * targets.length;
  const interval = 1000 / rate / targets.length;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < slots; ) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) {
      await sleep(wait);
      continue;
    }
    const k = i % targets.length;
    const [t, agent, outcome, lat] = [targets[k], agents[k], outcomes[k], latencies[k]];
    if (!t || !agent || !outcome || !lat) throw new Error("unreachable: target index");
    const sent = performance.now();
    inflight.push(
      send(agent, t.port, w).then(
        (status) => {
          if (status === 200) {
            outcome.ok++;
            lat.push(performance.now() - sent);
          } else fail(outcome, String(status));
        },
        () => void fail(outcome, "error"),
      ),
    );
    i++;
  }
  await Promise.all(inflight);
  for (const a of agents) a.destroy();
  const out = new Map<Label, Latency>();
  targets.forEach((t, k) => {
    const sorted = (latencies[k] ?? []).sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
    const outcome = outcomes[k] ?? { ok: 0, failures: new Map<string, number>() };
    out.set(t.label, { ...outcome, p50: pct(50), p90: pct(90), p99: pct(99), max: sorted[sorted.length - 1] ?? NaN });
  });
  return out;
}

function failuresText(o: Outcome): string {
  return [...o.failures].map(([k, n]) => `${n}×${k}`).join(" ");
}

function table(header: string[], rows: string[][], rightAlignFrom = 1): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= rightAlignFrom ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)];
}

const f0 = (n: number) => n.toFixed(0);
const f3 = (n: number) => n.toFixed(3);
const signed3 = (n: number) => `${n >= 0 ? "+" : ""}${n.toFixed(3)}`;

async function run(): Promise<void> {
  envoyBinary();
  if (!existsSync(WASM)) {
    if (WASM !== BUILT_WASM) throw new Error(`--wasm-file ${WASM} does not exist`);
    say("› building the filter (wasm-filter/build/modelguard.wasm)…");
    const r = spawnSync(process.execPath, [join(ROOT, "wasm-filter/scripts/build.mjs"), "--only", "modelguard"], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0 || !existsSync(WASM)) throw new Error("building the filter failed");
  }

  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: "ES256", use: "sig" }] });
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ sub: "bench-client", tier: "bench", scope: "models:small" })
    .setProtectedHeader({ alg: "ES256", kid: KID, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);

  const dir = mkdtempSync(join(tmpdir(), "mg-envoy-bench-"));
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  const policyFile = join(dir, "policy.yaml");
  writeFileSync(policyFile, stringify(benchPolicy(jwks)));

  const upstream = await startUpstream();
  stops.push(upstream.stop);

  for (const [label, file] of FIXTURE_WASM) {
    if (VARIANTS.includes(label) && !existsSync(file)) throw new Error(`${file} is missing: npm run build:wasm`);
  }
  const targets: Target[] = [];
  for (const label of VARIANTS) {
    const port = await freePort();
    const rendered = render(policyFile, port, upstream.port);
    const swapped = FIXTURE_WASM.get(label) ?? EXTRA_WASM.get(label);
    const config = label === "filter" ? rendered : swapped !== undefined ? withModule(rendered, swapped) : withoutFilter(rendered);
    const envoy = await startEnvoy({
      name: `bench-${label}`,
      config,
      concurrency: 1,
      ...(WASM_DEBUG && label !== "baseline" ? { componentLogLevels: { wasm: "debug" as const } } : {}),
    });
    stops.push(() => envoy.stop());
    targets.push({ label, port, envoy, pid: envoyPid(envoy) });
  }
  const baseline = targets.find((t) => t.label === "baseline");
  const filter = targets.find((t) => t.label === "filter");
  if (!baseline || !filter) throw new Error("unreachable: baseline and filter targets");

  const auth = `Bearer ${jwt}`;
  const body = chatBody();
  const workloads: Workload[] = [
    { name: "GET /v1/models (header-only)", method: "GET", path: "/v1/models", headers: { authorization: auth } },
    {
      name: "POST 4 KB JSON chat",
      method: "POST",
      path: "/v1/chat/completions",
      headers: { authorization: auth, "content-type": "application/json", "content-length": body.length },
      body,
    },
  ];

  // Both paths must answer 200 before anything is measured, and the filter must be in one only.
  for (const t of targets) {
    const agent = new Agent({ keepAlive: false });
    for (const w of workloads) {
      const status = await send(agent, t.port, w);
      if (status !== 200) throw new Error(`${t.label}: ${w.name} answered ${status}, not 200`);
    }
    agent.destroy();
  }
  const allowed = async (t: Target) => (await t.envoy.stat("wasmcustom.modelguard_requests_allowed")) ?? 0;
  if ((await allowed(filter)) < workloads.length || (await allowed(baseline)) !== 0) {
    throw new Error("the filter did not run in the filter Envoy only (wasmcustom.modelguard_requests_allowed)");
  }

  const { envoy: envoyVersion } = dataPlaneVersions();
  const started = performance.now();
  const others = targets.filter((t) => t.label !== "baseline");
  say(`ModelGuard filter in Envoy ${envoyVersion}: same rendered bootstrap with and without the wasm filter (--policy ${POLICY})`);
  say(`  chain  filter:      jwt_authn → rbac → modelguard.wasm → router → upstream`);
  if (VARIANTS.includes("passthrough")) say(`         passthrough: jwt_authn → rbac → fixtures/passthrough.wasm → router → upstream  (same wasm config, module swapped)`);
  if (VARIANTS.includes("floor")) say(`         floor:       jwt_authn → rbac → fixtures/hostcall-floor.wasm → router → upstream  (the filter's host calls only)`);
  say(`         baseline:    jwt_authn → rbac → router → upstream  (the wasm entry deleted from the rendered object)`);
  say(`  Envoy --concurrency 1 each (one worker thread), loopback only; ${cpus().length} CPU cores shared by Envoy,`);
  say(`  the load generator (node:http keep-alive Agent) and the upstream (a Node worker thread, fixed answers).`);
  say(`  throughput: ${CONNECTIONS} keep-alive connections, ${SECONDS} s per case after ${WARMUP_SECONDS} s warm-up, in`);
  say(`  ABBA rounds (${[...VARIANTS, ...[...VARIANTS].reverse()].join(", ")}; ${SECONDS / 2} s each) so drift hits all alike;`);
  say(`  latency: ${RATE} req/s open loop to EACH Envoy for ${LATENCY_SECONDS} s (${Math.round(RATE * LATENCY_SECONDS)} requests each), the`);
  say(`  schedules interleaved (same moments, same machine state).\n`);

  interface Row {
    w: Workload;
    tp: Map<Label, Throughput>;
    lat: Map<Label, Latency>;
  }
  const rows: Row[] = [];
  const pick = <T>(m: Map<Label, T>, label: Label): T => {
    const v = m.get(label);
    if (v === undefined) throw new Error(`unreachable: no result for ${label}`);
    return v;
  };
  for (const w of workloads) {
    if (WARMUP_SECONDS > 0) for (const t of targets) await closedLoop(t, w, WARMUP_SECONDS);
    const tp = await throughputPair(targets, w, SECONDS);
    say(`  measured ${w.name} throughput: ${targets.map((t) => `${t.label} ${f0(pick(tp, t.label).rps)} req/s`).join(", ")}`);
    const lat = await fixedRate(targets, w, RATE, LATENCY_SECONDS);
    say(`  measured ${w.name} latency at ${RATE} req/s each: p50 ${targets.map((t) => `${t.label} ${f3(pick(lat, t.label).p50)} ms`).join(", ")}`);
    rows.push({ w, tp, lat });
  }

  const cpu = (n: number | undefined) => (n === undefined ? "n/a" : f0(n));
  const added = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? "n/a" : `+${f0(a - b)}`);
  say(`\nMax throughput (${CONNECTIONS} connections, ${SECONDS} s); CPU = Envoy user+system µs per request`);
  for (const line of table(
    ["workload", "variant", "req/s", "/baseline", "CPU µs/req", "added CPU"],
    rows.flatMap(({ w, tp }) => {
      const base = pick(tp, "baseline");
      return targets.map((t) => {
        const x = pick(tp, t.label);
        return [w.name, t.label, f0(x.rps), `${((x.rps / base.rps) * 100).toFixed(1)} %`, cpu(x.cpuUsPerReq), t.label === "baseline" ? "" : added(x.cpuUsPerReq, base.cpuUsPerReq)];
      });
    }),
    2,
  )) say(`  ${line}`);

  say(`\nLatency at ${RATE} req/s per Envoy (${LATENCY_SECONDS} s, interleaved), ms from send to end of response`);
  for (const line of table(
    ["workload", "variant", "p50", "added p50", "p99", "added p99", "max"],
    rows.flatMap(({ w, lat }) => {
      const base = pick(lat, "baseline");
      return targets.map((t) => {
        const x = pick(lat, t.label);
        const first = t.label === "baseline";
        return [w.name, t.label, f3(x.p50), first ? "" : signed3(x.p50 - base.p50), f3(x.p99), first ? "" : signed3(x.p99 - base.p99), f3(x.max)];
      });
    }),
    2,
  )) say(`  ${line}`);

  const problems = rows.flatMap(({ w, tp, lat }) =>
    targets.flatMap((t) =>
      [
        ["throughput", tp.get(t.label)],
        ["latency", lat.get(t.label)],
      ].flatMap(([what, o]) => {
        const text = o === undefined || typeof o === "string" ? "" : failuresText(o);
        return text === "" ? [] : [`${w.name} ${String(what)} ${t.label}: ${text}`];
      }),
    ),
  );
  say(problems.length === 0 ? "\nEvery measured request answered 200." : `\nNon-200 answers or errors:\n  ${problems.join("\n  ")}`);
  const hardened = (await filter.envoy.stat("wasmcustom.modelguard_responses_hardened")) ?? 0;
  say(`Filter Envoy: ${await allowed(filter)} requests allowed by the filter, ${hardened} responses hardened; baseline: ${await allowed(baseline)}.`);
  say(`Target (issue 5): throughput ≥ 90 % of baseline, added p50 ≤ 0.100 ms.`);
  for (const { w, tp, lat } of rows) {
    const ratio = pick(tp, "filter").rps / pick(tp, "baseline").rps;
    const addedP50 = pick(lat, "filter").p50 - pick(lat, "baseline").p50;
    say(`  ${w.name}: throughput ${(ratio * 100).toFixed(1)} % (${ratio >= 0.9 ? "meets" : "misses"}), added p50 ${f3(addedP50)} ms (${addedP50 <= 0.1 ? "meets" : "misses"})`);
  }
  if (WASM_DEBUG) {
    for (const t of others) {
      say(`\n${t.label}: admin wasm stats`);
      for (const [k, v] of await t.envoy.stats("wasm")) if (!k.startsWith("wasmcustom.")) say(`  ${k}: ${v}`);
      say(`${t.label}: Envoy wasm log lines (first 40 without per-request noise)`);
      const lines = t.envoy.logs().split("\n").filter((l) => /wasm/i.test(l) && !/(onRequest|onResponse|onLog|onDone|onDelete|on_log|context)/i.test(l));
      for (const l of lines.slice(0, 40)) say(`  ${l.slice(0, 240)}`);
    }
  }
  say(`Measured in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

try {
  await run();
} catch (err) {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await stops.stopAll();
}
