// One shared-data record per client holding both its quota buckets and its extraction signals, so
// admitting a request costs one read and one compare-and-swap write instead of two of each: in
// Envoy every shared-data call crosses the VM boundary and copies the value, and these two were
// the largest per-request cost after the wasm call itself. Every VM (worker thread) of the pod
// updates the same record with CAS, so counts stay exact under contention.
import { getSharedData, lastStatus, setSharedData, WasmResult } from "../abi";
import { ExtractionConfig } from "./config-types";
import { ExtractionState, ExtractionVerdict, observe, STATE_BYTES } from "./extraction";
import { BucketState, Limit, QuotaOutcome, settleTokens, takeQuota } from "./quota";
import { takeShared } from "./quota-store";

const MAX_ATTEMPTS = 16;
const VERSION: u32 = 1;
// u32 version, u32 tier hash, u32 bucket count, u32 extraction present.
const HEADER: i32 = 16;

export function clientKey(policy: string, client: string): string {
  return "mg/c/" + policy + "/" + client;
}

/** FNV-1a of the tier name: a client whose tier changes starts with fresh buckets. */
export function tierHash(tier: string): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < tier.length; i++) h = (h ^ <u32>tier.charCodeAt(i)) * 16777619;
  return h;
}

class ClientRecord {
  buckets: BucketState;
  extraction: ExtractionState;

  constructor(buckets: BucketState, extraction: ExtractionState) {
    this.buckets = buckets;
    this.extraction = extraction;
  }

  /** Anything that does not match (other version, tier or layout) starts fresh for that part. */
  static decode(buf: ArrayBuffer | null, tier: u32, limits: Limit[]): ClientRecord {
    let buckets: ArrayBuffer | null = null;
    let extraction: ArrayBuffer | null = null;
    if (buf !== null && buf.byteLength >= HEADER) {
      const p = changetype<usize>(buf);
      const n = <i32>load<u32>(p, 8);
      const bucketBytes = 8 + 8 * n;
      const hasExtraction = load<u32>(p, 12) != 0;
      const size = HEADER + bucketBytes + (hasExtraction ? STATE_BYTES : 0);
      if (load<u32>(p) == VERSION && buf.byteLength == size) {
        if (load<u32>(p, 4) == tier) buckets = buf.slice(HEADER, HEADER + bucketBytes);
        if (hasExtraction) extraction = buf.slice(HEADER + bucketBytes, size);
      }
    }
    return new ClientRecord(BucketState.decode(buckets, limits), ExtractionState.decode(extraction));
  }

  encode(tier: u32, withExtraction: bool): ArrayBuffer {
    const b = this.buckets.encode();
    const x = withExtraction ? this.extraction.encode() : new ArrayBuffer(0);
    const out = new ArrayBuffer(HEADER + b.byteLength + x.byteLength);
    const p = changetype<usize>(out);
    store<u32>(p, VERSION);
    store<u32>(p, tier, 4);
    store<u32>(p, <u32>this.buckets.levels.length, 8);
    store<u32>(p, withExtraction ? 1 : 0, 12);
    memory.copy(p + <usize>HEADER, changetype<usize>(b), <usize>b.byteLength);
    memory.copy(p + <usize>HEADER + <usize>b.byteLength, changetype<usize>(x), <usize>x.byteLength);
    return out;
  }
}

/** What admitting one request decided. */
export class ClientOutcome {
  /** Null when the tier has no limits. */
  quota: QuotaOutcome | null = null;
  /** Null when extraction detection is off. */
  extraction: ExtractionVerdict | null = null;
  /** True when a throttled client's throttle bucket is empty. */
  throttled: bool = false;
  /** The store kept failing: the failure mode decides. */
  failed: bool = false;
}

/**
 * Records the request's extraction signals (if `extraction` is set) and takes its quota (if the
 * tier has limits) in one CAS update. A blocked or throttled-out client takes no quota.
 */
export function admitClient(
  policy: string, client: string, tier: string, limits: Limit[], extraction: ExtractionConfig | null,
  nowNs: u64, tokenCost: f64, fp: u64, sh: u64,
): ClientOutcome {
  const key = clientKey(policy, client);
  const th = tierHash(tier);
  // A throttle decision is taken once, not again on a CAS retry (it has its own bucket).
  let throttleChecked = false;
  let throttleAllowed = true;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = getSharedData(key);
    if (current === null && lastStatus != WasmResult.NotFound) break;
    const rec = ClientRecord.decode(current === null ? null : current.value, th, limits);
    const out = new ClientOutcome();
    let write = false;
    let denied = false;
    if (extraction !== null) {
      const v = observe(rec.extraction, extraction, nowNs, fp, sh);
      out.extraction = v;
      write = true;
      if (v.blocked) denied = true;
      else if (v.throttled) {
        if (!throttleChecked) {
          const q = takeShared("mg/t/" + policy + "/" + client, extraction.throttleLimits, nowNs, 0);
          if (q === null) break;
          throttleChecked = true;
          throttleAllowed = q.allowed;
        }
        if (!throttleAllowed) {
          out.throttled = true;
          denied = true;
        }
      }
    }
    if (!denied && limits.length > 0) {
      const q = takeQuota(rec.buckets, limits, nowNs, tokenCost);
      out.quota = q;
      if (q.allowed) write = true;
    }
    if (!write) return out;
    // cas 0 writes unconditionally: only for the first write of a new client.
    const st = setSharedData(key, rec.encode(th, extraction !== null), current === null ? 0 : current.cas);
    if (st == WasmResult.Ok) return out;
    if (st != WasmResult.CasMismatch) break;
  }
  const failed = new ClientOutcome();
  failed.failed = true;
  return failed;
}

/** Gives back (or charges more of) a token budget once the real usage is known. */
export function settleClient(policy: string, client: string, tier: string, limits: Limit[], nowNs: u64, refund: f64): bool {
  const key = clientKey(policy, client);
  const th = tierHash(tier);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = getSharedData(key);
    if (current === null) return lastStatus == WasmResult.NotFound;
    const hasExtraction = current.value.byteLength >= HEADER && load<u32>(changetype<usize>(current.value), 12) != 0;
    const rec = ClientRecord.decode(current.value, th, limits);
    settleTokens(rec.buckets, limits, nowNs, refund);
    const st = setSharedData(key, rec.encode(th, hasExtraction), current.cas);
    if (st == WasmResult.Ok) return true;
    if (st != WasmResult.CasMismatch) return false;
  }
  return false;
}
