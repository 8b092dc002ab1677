// Per-client model-extraction signals, pure. Within a window it counts requests, inputs never
// seen before (a Bloom filter of body fingerprints) and inputs that are small edits of the
// previous one (SimHash distance), and scores them 0-100 against the configured saturation points.
import { ExtractionConfig } from "./config-types";

const BLOOM_BYTES: i32 = 256; // 2048 bits: ~1% false positives at 200 distinct inputs
const HEADER: i32 = 8 * 6 + 4 * 3;
export const STATE_BYTES: i32 = HEADER + BLOOM_BYTES;
/** Sketch distance at or below which two different inputs count as a sweep step. */
const NEAR_BITS: i32 = 3;

export class ExtractionState {
  windowStartNs: u64 = 0;
  lastSimhash: u64 = 0;
  lastFingerprint: u64 = 0;
  blockedUntilNs: u64 = 0;
  throttledUntilNs: u64 = 0;
  flaggedWindowNs: u64 = 0;
  count: u32 = 0;
  novel: u32 = 0;
  near: u32 = 0;
  bloom: StaticArray<u8> = new StaticArray<u8>(BLOOM_BYTES);

  static decode(buf: ArrayBuffer | null): ExtractionState {
    const s = new ExtractionState();
    if (buf === null || buf.byteLength != STATE_BYTES) return s;
    const p = changetype<usize>(buf);
    s.windowStartNs = load<u64>(p);
    s.lastSimhash = load<u64>(p, 8);
    s.blockedUntilNs = load<u64>(p, 16);
    s.throttledUntilNs = load<u64>(p, 24);
    s.flaggedWindowNs = load<u64>(p, 32);
    s.lastFingerprint = load<u64>(p, 40);
    s.count = load<u32>(p, 48);
    s.novel = load<u32>(p, 52);
    s.near = load<u32>(p, 56);
    memory.copy(changetype<usize>(s.bloom), p + <usize>HEADER, <usize>BLOOM_BYTES);
    return s;
  }

  encode(): ArrayBuffer {
    const buf = new ArrayBuffer(STATE_BYTES);
    const p = changetype<usize>(buf);
    store<u64>(p, this.windowStartNs);
    store<u64>(p, this.lastSimhash, 8);
    store<u64>(p, this.blockedUntilNs, 16);
    store<u64>(p, this.throttledUntilNs, 24);
    store<u64>(p, this.flaggedWindowNs, 32);
    store<u64>(p, this.lastFingerprint, 40);
    store<u32>(p, this.count, 48);
    store<u32>(p, this.novel, 52);
    store<u32>(p, this.near, 56);
    memory.copy(p + <usize>HEADER, changetype<usize>(this.bloom), <usize>BLOOM_BYTES);
    return buf;
  }
}

/** Result of observing one request. */
export class ExtractionVerdict {
  score: i32 = 0;
  /** True the first time in a window that the score crosses the threshold. */
  newlyFlagged: bool = false;
  blocked: bool = false;
  throttled: bool = false;
}

/** A 64-bit fingerprint of a whole input, eight bytes at a time (identity, not security). */
export function fingerprint(ptr: usize, len: i32): u64 {
  let h: u64 = 0x9e3779b97f4a7c15 ^ <u64>len;
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    h = (h ^ load<u64>(ptr + <usize>i)) * 0xff51afd7ed558ccd;
    h ^= h >> 29;
  }
  for (; i < len; i++) h = (h ^ <u64>load<u8>(ptr + <usize>i)) * 0x100000001b3;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53;
  return h ^ (h >> 33);
}

/** 1 for the bytes that make up tokens: letters, digits, `.`, `-`, `_`. */
const TOKEN_BYTES = new StaticArray<u8>(256);
for (let c = 0; c < 256; c++) {
  const t = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2e || c == 0x2d || c == 0x5f;
  TOKEN_BYTES[c] = t ? 1 : 0;
}

/**
 * A locality-sensitive 64-bit sketch of an input: each token (run of letters, digits, `.-_`)
 * votes on the one bit its hash selects. Editing a few tokens moves a few votes, so at most a few
 * bits change; unrelated inputs differ in about half the bits. One pass, no allocation: it runs
 * on every request body, so a token is hashed with 32-bit FNV-1a and only its vote is mixed to
 * 64 bits.
 */
export function simhash(ptr: usize, len: i32): u64 {
  const votes = changetype<usize>(VOTES);
  const tokenBytes = changetype<usize>(TOKEN_BYTES);
  memory.fill(votes, 0, 64 * 4);
  let h: u32 = FNV32_OFFSET;
  let inToken = false;
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (load<u8>(tokenBytes + <usize>c) != 0) {
      h = (h ^ c) * FNV32_PRIME;
      inToken = true;
    } else if (inToken) {
      vote(votes, h);
      h = FNV32_OFFSET;
      inToken = false;
    }
  }
  if (inToken) vote(votes, h);
  let out: u64 = 0;
  for (let b = 0; b < 64; b++) if (load<i32>(votes + (<usize>b << 2)) > 0) out |= (<u64>1) << <u64>b;
  return out;
}

const FNV32_OFFSET: u32 = 0x811c9dc5;
const FNV32_PRIME: u32 = 0x01000193;

/** One token's vote: its hash mixed to 64 bits picks a bit (top six) and a direction (bottom one). */
// @ts-ignore: decorator
@inline
function vote(votes: usize, h: u32): void {
  let x = <u64>h * 0x9e3779b97f4a7c15;
  x ^= x >> 29;
  x *= 0xbf58476d1ce4e5b9;
  x ^= x >> 32;
  const at = votes + (<usize>(x >> 58) << 2);
  store<i32>(at, load<i32>(at) + ((x & 1) != 0 ? 1 : -1));
}

const VOTES = new StaticArray<i32>(64);

function bloomTestAndSet(bloom: StaticArray<u8>, fp: u64): bool {
  const bits = <u64>(BLOOM_BYTES * 8);
  let seen = true;
  for (let k: u64 = 0; k < 3; k++) {
    const bit = <i32>(((fp >> (k * 21)) ^ (fp * (k + 1))) % bits);
    const byte = bit >> 3;
    const mask = <u8>(<u32>1 << <u32>(bit & 7));
    if ((bloom[byte] & mask) == 0) {
      seen = false;
      bloom[byte] = bloom[byte] | mask;
    }
  }
  return seen;
}

function ratio(part: f64, whole: f64): f64 {
  if (whole <= 0) return 0;
  const r = part / whole;
  return r > 1 ? 1 : r;
}

/** Score 0-100 from the current window's signals. */
export function score(s: ExtractionState, cfg: ExtractionConfig): i32 {
  const n = <f64>s.count;
  const rate = ratio(n, <f64>cfg.maxRequestsPerWindow);
  const novelty = ratio(ratio(<f64>s.novel, n), <f64>cfg.noveltyPercent / 100.0);
  const sweep = ratio(ratio(<f64>s.near, n), <f64>cfg.sweepPercent / 100.0);
  // Rate alone is not extraction, and novelty alone is normal for chat: weight their combination,
  // and let a sustained sweep (probing around a decision boundary) count on its own.
  const combined = 0.45 * rate + 0.35 * novelty + 0.2 * sweep;
  const s2 = sweep * 0.8 + rate * 0.2;
  const best = combined > s2 ? combined : s2;
  return <i32>Math.round(best * 100);
}

/** Records one request of `fp`/`sh` at `nowNs` and returns the resulting verdict. */
export function observe(s: ExtractionState, cfg: ExtractionConfig, nowNs: u64, fp: u64, sh: u64): ExtractionVerdict {
  const v = new ExtractionVerdict();
  const windowNs = <u64>cfg.windowSeconds * 1_000_000_000;
  if (nowNs < s.blockedUntilNs) {
    v.blocked = true;
    return v;
  }
  if (nowNs - s.windowStartNs >= windowNs || s.windowStartNs > nowNs) {
    s.windowStartNs = nowNs;
    s.count = 0;
    s.novel = 0;
    s.near = 0;
    for (let i = 0; i < BLOOM_BYTES; i++) s.bloom[i] = 0;
  }
  s.count++;
  if (!bloomTestAndSet(s.bloom, fp)) s.novel++;
  if (s.count > 1 && fp != s.lastFingerprint) {
    // A different input whose sketch is (nearly) the same: a small edit of the previous one.
    const d = <i32>popcnt<u64>(sh ^ s.lastSimhash);
    if (d <= NEAR_BITS) s.near++;
  }
  s.lastSimhash = sh;
  s.lastFingerprint = fp;
  v.score = <i64>s.count >= cfg.minRequests ? score(s, cfg) : 0;
  if (v.score >= <i32>cfg.scoreThreshold) {
    if (s.flaggedWindowNs != s.windowStartNs) {
      s.flaggedWindowNs = s.windowStartNs;
      v.newlyFlagged = true;
    }
    if (cfg.action == 2) {
      s.blockedUntilNs = nowNs + <u64>cfg.blockSeconds * 1_000_000_000;
      v.blocked = true;
    } else if (cfg.action == 1) {
      s.throttledUntilNs = s.windowStartNs + windowNs;
    }
  }
  v.throttled = cfg.action == 1 && nowNs < s.throttledUntilNs;
  return v;
}
