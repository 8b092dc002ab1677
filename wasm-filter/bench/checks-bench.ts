// Per-call cost of the pure checks in V8 (the engine Envoy runs wasm on):
// median µs of checkUrl on typical URLs and checkImage on a ~1 MB base64 image.
// The input string is built once per case (prepare); only the check is timed.
// Usage: node --import tsx wasm-filter/bench/checks-bench.ts
import { randomBytes } from "node:crypto";
import { ChecksWasm, imageVerdictName, urlVerdictName } from "../test/checks-support.js";
import { b64, dataUrl, jpeg, pngHeaderOnly, realPng } from "../test/checks-images.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Median µs per call over `rounds` rounds of `batch` calls. */
function time(fn: () => number, rounds: number, batch: number): number {
  for (let i = 0; i < batch * 3; i++) fn(); // warm-up (JIT tiers)
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / batch);
  }
  return median(samples);
}

const wasm = await ChecksWasm.load();
wasm.setUrlPolicy(1, { denyPrivate: true });
wasm.setUrlPolicy(2, { denyPrivate: true, hosts: ["*.example.com", "api.partner.io", "cdn.images.example.org", "*.googleusercontent.com", "*.s3.amazonaws.com"] });
wasm.setImagePolicy(1, { formats: ["png", "jpeg", "gif", "webp"], maxBytes: 5 * 1024 * 1024, maxWidth: 8192, maxHeight: 8192, maxPixels: 40_000_000 });

const rows: string[][] = [["case", "verdict", "median µs"]];

const urls: [string, string, number][] = [
  ["public https URL", "https://images.example.com/uploads/2026/cat.png?size=large&v=3", 1],
  ["same, 5-entry allowlist", "https://images.example.com/uploads/2026/cat.png?size=large&v=3", 2],
  ["metadata IP", "http://169.254.169.254/latest/meta-data/iam/security-credentials/", 1],
  ["hex-encoded loopback", "http://0x7f.0.0.1:8080/admin", 1],
  ["IPv6 mapped", "http://[::ffff:10.0.0.1]/x", 1],
  ["in-cluster name", "http://model-server.default.svc.cluster.local:8080/v1", 1],
  ["userinfo trick", "https://good.example.com@evil.com/", 2],
];
// Warm every path first so the first row is not measured on a colder JIT tier.
for (let round = 0; round < 3; round++) {
  for (const [, url, policy] of urls) {
    wasm.prepare(url);
    time(() => wasm.checkUrlPrepared(policy), 1, 2000);
  }
}
let urlBaseline = NaN;
for (const [name, url, policy] of urls) {
  wasm.prepare(url);
  const verdict = urlVerdictName(wasm.checkUrlPrepared(policy));
  const us = time(() => wasm.checkUrlPrepared(policy), 30, 2000);
  if (Number.isNaN(urlBaseline)) urlBaseline = us;
  rows.push([`checkUrl: ${name}`, verdict, `${us.toFixed(3)} (x${(us / urlBaseline).toFixed(2)})`]);
}

// ~1 MB of base64: a real PNG of incompressible pixels (512x512 RGB, about 770 KB decoded).
const noise = randomBytes(512 * 512 * 3);
const bigPng = realPng(512, 512, (x, y) => {
  const i = (y * 512 + x) * 3;
  return [noise[i] ?? 0, noise[i + 1] ?? 0, noise[i + 2] ?? 0];
});
const bigJpeg = (() => {
  const header = jpeg(1024, 768, { apps: [[0xe1, 60_000], [0xe2, 65_000]] });
  const out = new Uint8Array(bigPng.length);
  out.set(header);
  return out; // header-only JPEG padded to the same size: the walk stops at SOF
})();
const images: [string, string][] = [
  ["1 MB base64 PNG (raw base64)", b64(bigPng)],
  ["1 MB base64 PNG (data URL)", dataUrl("png", bigPng)],
  ["1 MB base64 JPEG, SOF after 125 KB of APPn", b64(bigJpeg)],
  ["PNG bomb 100000x100000 (tiny)", b64(pngHeaderOnly(100_000, 100_000))],
];
let imageBaseline = NaN;
for (const [name, data] of images) {
  wasm.prepare(data);
  const verdict = imageVerdictName(wasm.checkImagePrepared(1));
  const us = time(() => wasm.checkImagePrepared(1), 15, 20);
  if (Number.isNaN(imageBaseline)) imageBaseline = us;
  rows.push([`checkImage: ${name} [${data.length} chars]`, verdict, `${us.toFixed(1)} (x${(us / imageBaseline).toFixed(3)})`]);
}

const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join("  "));
