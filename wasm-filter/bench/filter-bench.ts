// `npm run bench:filter`: per-request cost of the real filter on V8 (the engine Envoy embeds),
// through the Node proxy-wasm host. Reports median and p99 µs per scenario, the host's own cost
// (a passthrough module in the same run) to subtract, and linear memory over 1M requests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import type { PolicySpecInput } from "../../operator/src/api/policy.js";
import { ProxyWasmHost } from "../host/host.js";
import type { ExchangeRequest, UpstreamResponse } from "../host/exchange.js";
import type { WasmVm } from "../host/vm.js";
import { jwtPayloadProperties } from "../host/properties.js";
import { ensureModule, filterConfigFor } from "../test/filter/harness.js";

const ITER = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 1_000_000);

const spec: PolicySpecInput = {
  protocol: "Auto",
  authentication: { jwt: [{ name: "idp", issuer: "https://idp.example.com", jwks: '{"keys":[]}' }] },
  tiers: [{ name: "free", requestsPerSecond: 1_000_000_000, requestsPerDay: 1_000_000_000, tokensPerMinute: 1_000_000_000, maxTokensPerRequest: 4096 }],
  rules: [{ models: ["llama-*", "resnet*", "m"], methods: ["POST", "GET"] }],
  payload: {
    maxBodyBytes: 4 << 20,
    json: { maxStringLength: 4 << 20, maxArrayLength: 100_000 },
    fields: [
      { path: "messages", type: "array", maxLength: 256 },
      { path: "messages[*].role", type: "string", enum: ["system", "user", "assistant"] },
      { path: "temperature", type: "number", minimum: 0, maximum: 2 },
      { path: "max_tokens", type: "integer", minimum: 1, maximum: 4096 },
    ],
    urls: { fields: ["instances[*].image_url"] },
    images: { fields: ["instances[*].image_b64"], maxDecodedBytes: 4 << 20 },
    prompts: { denyPatterns: ["ignore previous instructions", "reveal your system prompt", "-----BEGIN * PRIVATE KEY-----"] },
  },
  extraction: { action: "Log" },
};

const claims = jwtPayloadProperties({ sub: "bench", tier: "free", scope: "a b" });
const OK: UpstreamResponse = { status: 200, headers: { "content-type": "text/plain" }, body: "ok" };

function chatBody(bytes: number): string {
  const base = { model: "llama-3-8b", temperature: 0.7, max_tokens: 256, messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: "" }] };
  const filler = "Explain the difference between supervised and unsupervised learning with examples. ";
  const head = JSON.stringify(base).length;
  let text = "";
  while (text.length < bytes - head) text += filler;
  base.messages[1] = { role: "user", content: text.slice(0, bytes - head) };
  return JSON.stringify(base);
}

function jsonBody(bytes: number): string {
  const rows: number[][] = [];
  let s = "";
  for (let i = 0; s.length < bytes; i++) {
    rows.push(Array.from({ length: 16 }, (_, j) => Math.round(Math.sin(i * 16 + j) * 1e6) / 1e6));
    s = JSON.stringify({ inputs: [{ name: "x", datatype: "FP32", shape: [rows.length, 16], data: rows }] });
  }
  return s;
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function imageBody(bytes: number): string {
  // A real PNG whose IDAT is padded to the target size with stored (incompressible) data.
  const w = 512, h = 512;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const raw = Buffer.alloc(Math.floor((bytes * 3) / 4) - 100);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 0 })), chunk("IEND", Buffer.alloc(0))]);
  return JSON.stringify({ instances: [{ image_b64: png.toString("base64") }] });
}

interface Scenario {
  name: string;
  request: ExchangeRequest;
  expect: "forwarded" | "local_reply";
}

function post(path: string, body: string): ExchangeRequest {
  return { headers: { ":method": "POST", ":path": path, ":authority": "m", "content-type": "application/json", "content-length": String(body.length) }, body, properties: claims };
}

function measure(host: ProxyWasmHost, vm: WasmVm, s: Scenario, iterations: number): { median: number; p99: number; mean: number } {
  const warm = Math.min(2000, iterations);
  for (let i = 0; i < warm; i++) host.exchange(vm, s.request, OK);
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    const r = host.exchange(vm, s.request, OK);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
    if (r.outcome !== s.expect) throw new Error(`${s.name}: expected ${s.expect}, got ${r.outcome} ${r.localReply?.details ?? ""}`);
  }
  const mean = samples.reduce((a, b) => a + b, 0) / iterations;
  samples.sort();
  return { median: samples[Math.floor(iterations / 2)] ?? 0, p99: samples[Math.floor(iterations * 0.99)] ?? 0, mean };
}

const BENCH_DETECTOR = {
  cluster: "outbound|8080||modelguard.modelguard-system.svc.cluster.local",
  authority: "modelguard.modelguard-system.svc.cluster.local:8080",
  path: "/v1/reports",
  token: "0".repeat(64),
  flushMilliseconds: 2000,
  maxRecords: 2048,
  timeoutMilliseconds: 1000,
};

/** Like measure, sending (and answering) the report batch every 1,000 requests, untimed, as the tick would. */
function measureWithFlush(host: ProxyWasmHost, vm: WasmVm, s: Scenario, iterations: number): { median: number; p99: number } {
  const flush = () => {
    vm.tick();
    for (const call of vm.pendingHttpCalls) vm.respondToHttpCall(call.token, { headers: { ":status": "202" }, body: "" });
  };
  const samples = new Float64Array(iterations);
  for (let i = 0; i < Math.min(2000, iterations); i++) {
    host.exchange(vm, s.request, OK);
    if (i % 1000 === 999) flush();
  }
  flush();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    host.exchange(vm, s.request, OK);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
    if (i % 1000 === 999) flush();
  }
  samples.sort();
  return { median: samples[Math.floor(iterations / 2)] ?? 0, p99: samples[Math.floor(iterations * 0.99)] ?? 0 };
}

async function main() {
  const modulePath = await ensureModule();
  const host = ProxyWasmHost.fromFile(modulePath);
  const vm = host.createConfiguredVm(JSON.stringify(filterConfigFor(spec)), { onLog: () => undefined });
  const passthroughPath = fileURLToPath(new URL("../build/fixtures/passthrough.wasm", import.meta.url));
  const baseHost = new ProxyWasmHost(readFileSync(passthroughPath));
  const baseVm = baseHost.createConfiguredVm("{}", { onLog: () => undefined });

  const scenarios: [Scenario, number][] = [
    [{ name: "header-only allow (GET /v2/models/m)", request: { headers: { ":method": "GET", ":path": "/v2/models/m", ":authority": "m" }, properties: claims }, expect: "forwarded" }, ITER],
    [{ name: "header-only deny (no identity)", request: { headers: { ":method": "GET", ":path": "/v2/models/m", ":authority": "m" } }, expect: "local_reply" }, ITER],
    [{ name: "4 KB OpenAI chat, all checks", request: post("/v1/chat/completions", chatBody(4096)), expect: "forwarded" }, ITER],
    [{ name: "64 KB JSON (OIP v2 tensor)", request: post("/v2/models/m/infer", jsonBody(65536)), expect: "forwarded" }, Math.max(200, ITER / 10)],
    [{ name: "1 MB base64 image (KServe v1)", request: post("/v1/models/resnet50:predict", imageBody(1 << 20)), expect: "forwarded" }, Math.max(50, ITER / 100)],
  ];
  const baseline = measure(baseHost, baseVm, { name: "passthrough", request: scenarios[0]![0].request, expect: "forwarded" }, ITER);
  console.log(`host only (passthrough module, header-only): median ${baseline.median.toFixed(2)} µs, p99 ${baseline.p99.toFixed(2)} µs`);
  console.log("scenario                                   median µs   p99 µs   median minus host");
  for (const [s, n] of scenarios) {
    const m = measure(host, vm, s, n);
    console.log(`${s.name.padEnd(42)} ${m.median.toFixed(2).padStart(9)} ${m.p99.toFixed(2).padStart(8)} ${(m.median - baseline.median).toFixed(2).padStart(12)}   (n=${n})`);
  }
  // The same scenarios with cluster-wide detection on: each request also appends a record (and,
  // with a body, a sketch) to the VM's report buffer; the tick sends it, off the request path.
  const reportingVm = host.createConfiguredVm(JSON.stringify({ ...filterConfigFor(spec), detector: BENCH_DETECTOR }), { onLog: () => undefined });
  for (const i of [0, 2]) {
    const [s, n] = scenarios[i]!;
    const m = measureWithFlush(host, reportingVm, s, n);
    const name = `${s.name} + reporting`;
    console.log(`${name.padEnd(42)} ${m.median.toFixed(2).padStart(9)} ${m.p99.toFixed(2).padStart(8)} ${(m.median - baseline.median).toFixed(2).padStart(12)}   (n=${n})`);
  }
  // Garbage collection visits the whole heap, configuration included: with a large one (here
  // 20,000 client restrictions) collections are spaced out further, so the mean (which carries
  // the collections; the median does not) should stay near the small configuration's.
  const restrictions = Array.from({ length: 20_000 }, (_, i) => ({ client: `restricted-${i}`, action: "block", expiresAtMs: 4e12 }));
  const bigVm = host.createConfiguredVm(JSON.stringify({ ...filterConfigFor(spec), restrictions }), { onLog: () => undefined });
  for (const [label, v] of [["small config", vm], ["20,000 restrictions", bigVm]] as const) {
    const m = measure(host, v, scenarios[0]![0], ITER);
    console.log(`header-only allow, ${label}: mean ${m.mean.toFixed(2)} µs, median ${m.median.toFixed(2)} µs, p99 ${m.p99.toFixed(2)} µs (${v.memoryPages} pages)`);
  }
  const before = vm.memoryPages;
  const req = scenarios[0]![0].request;
  const chat = scenarios[2]![0].request;
  for (let i = 0; i < MEMORY_REQUESTS; i++) host.exchange(vm, i % 10 === 0 ? chat : req, OK);
  console.log(`linear memory: ${before} pages before, ${vm.memoryPages} pages after ${MEMORY_REQUESTS} more requests (90% header-only, 10% 4 KB chat)`);
}

await main();
