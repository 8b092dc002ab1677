// Fuzz: 150,000 random and mutated inputs across every exported check (seeded,
// reproducible). Asserts that nothing traps or aborts (env.abort throws in
// checks-support.ts, and a wasm trap throws a RuntimeError), that every verdict is
// in range, and that linear memory stops growing after a warm-up.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ChecksWasm, GlobKind, prng } from "./checks-support.js";
import { b64, dataUrl, gif, jpeg, pngHeaderOnly, realPng, webpVp8, webpVp8l, webpVp8x } from "./checks-images.js";

const SEED = Number(process.env.CHECKS_FUZZ_SEED ?? 0xc0ffee);
const WARMUP = 20_000;
const ITERATIONS = 150_000;

let wasm: ChecksWasm;
before(async () => {
  wasm = await ChecksWasm.load();
  wasm.setUrlPolicy(1, { denyPrivate: true });
  wasm.setUrlPolicy(2, { denyPrivate: false, schemes: ["https", "http", "ftp", "s3"] });
  wasm.setUrlPolicy(3, { denyPrivate: true, hosts: ["*.example.com", "api.partner.io", "203.0.113.7", "[2001:db8::1]"] });
  wasm.setImagePolicy(1, { formats: ["png", "jpeg", "gif", "webp"], maxBytes: 1 << 20, maxWidth: 4096, maxHeight: 4096, maxPixels: 16_000_000 });
  wasm.setImagePolicy(2, {});
  wasm.setImagePolicy(3, { formats: ["png"], maxBytes: 300, maxWidth: 16, maxHeight: 16, maxPixels: 100 });
});

const URL_SEEDS = [
  "https://img.example.com/a.png?x=1#f",
  "http://127.0.0.1:8080/",
  "http://0x7f.1/",
  "http://2130706433/",
  "http://[::ffff:127.0.0.1]/",
  "http://[fe80::1%25eth0]/",
  "http://[64:ff9b::a9fe:a9fe]:80/x",
  "https://good.example.com@evil.com/",
  "https://evil.com#@good.example.com",
  "http://metadata.google.internal/computeMetadata/v1/",
  "file:///etc/passwd",
  "http://%31%32%37.0.0.1/",
  "http://１２７.０.０.１/",
  "s3://bucket/key",
  "https://a..b/",
  "http://[2002:a9fe:a9fe::1]/",
  "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
];

const IMAGE_BYTES = [
  realPng(7, 5),
  pngHeaderOnly(100_000, 100_000),
  jpeg(640, 480, { apps: [[0xe1, 300]] }),
  jpeg(10, 10, { fill: 2, sof: 0xc2 }),
  gif(10, 10, [
    { left: 0, top: 0, width: 10, height: 10 },
    { left: 2, top: 2, width: 3, height: 3 },
  ]),
  webpVp8(320, 240),
  webpVp8l(100, 100),
  webpVp8x(5000, 5000),
];
const IMAGE_SEEDS = [...IMAGE_BYTES.map(b64), dataUrl("png", IMAGE_BYTES[0] ?? new Uint8Array()), dataUrl("gif", IMAGE_BYTES[4] ?? new Uint8Array())];

const GLOB_SEEDS = ["*.example.com", "a*a*a*a*b", "-----BEGIN * PRIVATE KEY-----", "ignore previous instructions", "*", "", "**a**"];

const INTERESTING = ["%", "@", ":", "[", "]", "\\", "/", ".", "..", "0x", "0", "=", "==", "*", "\0", "\n", " ", "é", "\uffff", "\ud800", "::", "#", "?", "data:", "image/", ";base64,", "+", "-", "_", "9", "ff", "\u3002"];

function mutateString(s: string, rand: () => number): string {
  let out = s;
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (out.length + 1));
    switch (Math.floor(rand() * 6)) {
      case 0: // delete a run
        out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 4));
        break;
      case 1: // insert an interesting token
        out = out.slice(0, at) + (INTERESTING[Math.floor(rand() * INTERESTING.length)] ?? "") + out.slice(at);
        break;
      case 2: // replace with a random code unit
        out = out.slice(0, at) + String.fromCharCode(Math.floor(rand() * (rand() < 0.8 ? 128 : 65536))) + out.slice(at + 1);
        break;
      case 3: // truncate
        out = out.slice(0, at);
        break;
      case 4: // duplicate a slice
        out = out.slice(0, at) + out.slice(Math.floor(rand() * out.length), at) + out.slice(at);
        break;
      default: // swap halves
        out = out.slice(at) + out.slice(0, at);
    }
  }
  return out;
}

function mutateBytes(bytes: Uint8Array, rand: () => number): Uint8Array {
  const m = rand() < 0.2 ? bytes.subarray(0, Math.floor(rand() * bytes.length)).slice() : bytes.slice();
  const flips = 1 + Math.floor(rand() * 3);
  for (let f = 0; f < flips && m.length > 0; f++) {
    // bias towards the header, where the parsers look
    const at = rand() < 0.8 ? Math.floor(rand() * Math.min(64, m.length)) : Math.floor(rand() * m.length);
    m[at] = rand() < 0.5 ? Math.floor(rand() * 256) : [0, 0xff, 0x7f, 0x80, 1][Math.floor(rand() * 5)] ?? 0;
  }
  return m;
}

function randomBytes(rand: () => number, max: number): Uint8Array {
  return Uint8Array.from({ length: Math.floor(rand() * max) }, () => Math.floor(rand() * 256));
}

const pickFrom = <T,>(xs: readonly T[], rand: () => number): T => xs[Math.floor(rand() * xs.length)] as T;

const calls: Record<string, number> = {};
const count = (name: string): void => {
  calls[name] = (calls[name] ?? 0) + 1;
};

function step(rand: () => number): void {
  const r = rand();
  if (r < 0.3) {
    const url = rand() < 0.9 ? mutateString(pickFrom(URL_SEEDS, rand), rand) : randomBytes(rand, 200);
    const v = wasm.checkUrl(url, 1 + Math.floor(rand() * 3));
    assert.ok(v >= 0 && v <= 4, `verdict ${v}`);
    count(`url:${v}`);
    if (typeof url === "string" && rand() < 0.3) {
      wasm.urlHost(url);
      wasm.urlPort(url);
    }
  } else if (r < 0.6) {
    let input: string | Uint8Array;
    const k = rand();
    if (k < 0.5) input = b64(mutateBytes(pickFrom(IMAGE_BYTES, rand), rand));
    else if (k < 0.8) input = mutateString(pickFrom(IMAGE_SEEDS, rand), rand);
    else if (k < 0.9) input = `data:image/${pickFrom(["png", "jpeg", "gif", "webp", "svg+xml", "PNG"], rand)};base64,${b64(mutateBytes(pickFrom(IMAGE_BYTES, rand), rand))}`;
    else input = randomBytes(rand, 400);
    const policy = 1 + Math.floor(rand() * 3);
    const v = rand() < 0.5 || typeof input !== "string" ? wasm.checkImage(input, policy) : wasm.imageInfo(input, policy).verdict;
    assert.ok(v >= 0 && v <= 4, `verdict ${v}`);
    count(`image:${v}`);
  } else if (r < 0.8) {
    const pattern = rand() < 0.7 ? mutateString(pickFrom(GLOB_SEEDS, rand), rand) : "";
    const text = mutateString(pickFrom([...URL_SEEDS, ...GLOB_SEEDS, "aaaaaaaaaaaaaaaaaaaaab"], rand), rand).replace(/\0/g, "");
    wasm.glob(pickFrom([GlobKind.Match, GlobKind.MatchFold, GlobKind.ContainsFold, GlobKind.Host], rand), pattern.replace(/\0/g, ""), text);
    count("glob");
  } else {
    const input = rand() < 0.6 ? mutateString(b64(randomBytes(rand, 60)), rand) : randomBytes(rand, 80);
    const which = rand();
    if (which < 0.3) wasm.b64Decode(input, Math.floor(rand() * 100));
    else if (which < 0.6) wasm.b64Prefix(input, Math.floor(rand() * 70) - 5);
    else if (which < 0.8) wasm.b64Valid(input);
    else wasm.b64Length(input);
    count("base64");
  }
}

describe("fuzz", () => {
  it(`${ITERATIONS} mutated inputs after a ${WARMUP}-input warm-up, seed ${SEED}`, (t) => {
    const rand = prng(SEED);
    // Warm-up includes the largest input the loop will ever send, so the input
    // buffer has reached its final size.
    wasm.checkImage(b64(randomBytes(rand, 2000)), 1);
    for (let i = 0; i < WARMUP; i++) step(rand);
    const pagesAfterWarmup = wasm.pages();
    let peak = pagesAfterWarmup;
    for (let i = 0; i < ITERATIONS; i++) {
      try {
        step(rand);
      } catch (err) {
        throw new Error(`iteration ${i} (seed ${SEED}) failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (i % 10_000 === 0) peak = Math.max(peak, wasm.pages());
    }
    peak = Math.max(peak, wasm.pages());
    t.diagnostic(`calls by function:verdict ${JSON.stringify(calls)}`);
    t.diagnostic(`memory pages: ${pagesAfterWarmup} after warm-up, ${peak} peak`);
    assert.equal(peak, pagesAfterWarmup, "linear memory grew after warm-up");
  });
});
