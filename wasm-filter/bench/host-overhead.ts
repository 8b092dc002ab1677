// Per-request cost of the Node host itself: whole exchanges (request headers →
// upstream response → response phases → done/log/delete) through the
// passthrough fixture, which does one header read. Prints the median of
// batches in µs per request, and the same for the feature fixture's body path
// as a second reference point.
// Usage: node --import tsx wasm-filter/bench/host-overhead.ts [requests]
import { fixtureHost, FEATURES_CONFIG } from "../host/test-support.js";
import type { ExchangeRequest, UpstreamResponse } from "../host/index.js";
import type { ProxyWasmHost, WasmVm } from "../host/index.js";

const requests = Number(process.argv[2] ?? 100_000);
const BATCH = 1_000;

function medianMicros(host: ProxyWasmHost, vm: WasmVm, request: ExchangeRequest, upstream: UpstreamResponse): number {
  for (let i = 0; i < 5 * BATCH; i++) host.exchange(vm, request, upstream); // warm-up (JIT tiers)
  const perRequest: number[] = [];
  for (let done = 0; done < requests; done += BATCH) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) host.exchange(vm, request, upstream);
    perRequest.push(Number(process.hrtime.bigint() - started) / 1_000 / BATCH);
  }
  perRequest.sort((a, b) => a - b);
  return perRequest[Math.floor(perRequest.length / 2)] as number;
}

// Bodies are pre-encoded so the numbers are the host's cost, not TextEncoder's.
const bytes = (text: string) => new TextEncoder().encode(text);
const upstream: UpstreamResponse = { status: 200, headers: { "content-type": "application/json" }, body: bytes('{"ok":true}') };
const headers = { ":method": "POST", ":path": "/v1/chat/completions", ":authority": "model", "content-type": "application/json" };

const passthrough = fixtureHost("passthrough");
const pvm = passthrough.createVm();
pvm.configure("");
const trivial = medianMicros(passthrough, pvm, { headers }, upstream);
const pagesBefore = pvm.memoryPages;

const features = fixtureHost("features");
const fvm = features.createConfiguredVm(FEATURES_CONFIG);
const withBody = medianMicros(features, fvm, { headers, body: [bytes('{"model":"m",'), bytes('"prompt":"hi"}')] }, upstream);

console.log(`requests per run: ${requests} (batches of ${BATCH})`);
console.log(`passthrough fixture, headers only: median ${trivial.toFixed(2)} µs/request (memory ${pagesBefore} pages)`);
console.log(`features fixture, 2-chunk body + response rewrite: median ${withBody.toFixed(2)} µs/request`);
console.log(`ratio features/passthrough: ${(withBody / trivial).toFixed(2)}`);
