// One shared-data record per client holding both its quota buckets and its extraction signals, so
// admitting a request costs one read and one compare-and-swap write instead of two of each: in
// Envoy every shared-data call crosses the VM boundary and copies the value, and these two were
// the largest per-request cost after the wasm call itself. Every VM (worker thread) of the pod
// updates the same record with CAS, so counts stay exact under contention.
//
// Proxy-wasm shared data cannot delete a key, so records live in a fixed table of slots per policy
// (`maxClients`, open addressing over a few probes) instead of one key per client ever seen. A
// record names its owner (a 64-bit hash of the client) and the time after which it is worth
// nothing: every bucket full again, no extraction window, block or throttle running. A slot past
// that time is taken over by the next client, which loses nobody anything. Only when every probed
// slot is in use is the least valuable record evicted (its client starts afresh), and counted.
import { getSharedData, lastStatus, setSharedData, SharedDataValue, WasmResult } from "../abi";
import { ExtractionConfig } from "./config-types";
import { ExtractionState, ExtractionVerdict, observe, STATE_BYTES } from "./extraction";
import { BucketState, Limit, QuotaOutcome, settleTokens, takeQuota } from "./quota";
import { takeShared } from "./quota-store";

const MAX_ATTEMPTS = 16;
const VERSION: u32 = 2;
// u32 version, u32 tier hash, u32 bucket count, u32 extraction present, u64 owner, u64 worthless-after ns.
const HEADER: i32 = 32;
/** Slots probed for a client: its home slot and the next ones. */
const PROBES: u32 = 8;
/** Slots per policy unless the configuration says otherwise. */
export const DEFAULT_MAX_CLIENTS: u32 = 65536;

export function slotKey(policy: string, slot: u32): string {
  return "mg/c/" + policy + "/#" + slot.toString();
}

/** FNV-1a over the UTF-16 units, then a 64-bit finaliser; never 0 (0 marks "no owner"). */
export function clientHash(client: string): u64 {
  let h: u64 = 0xcbf29ce484222325;
  for (let i = 0; i < client.length; i++) h = (h ^ <u64>client.charCodeAt(i)) * 0x100000001b3;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  return h == 0 ? 1 : h;
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

  encode(owner: u64, tier: u32, limits: Limit[], extraction: ExtractionConfig | null): ArrayBuffer {
    const b = this.buckets.encode();
    const x = extraction !== null ? this.extraction.encode() : new ArrayBuffer(0);
    const out = new ArrayBuffer(HEADER + b.byteLength + x.byteLength);
    const p = changetype<usize>(out);
    store<u32>(p, VERSION);
    store<u32>(p, tier, 4);
    store<u32>(p, <u32>this.buckets.levels.length, 8);
    store<u32>(p, extraction !== null ? 1 : 0, 12);
    store<u64>(p, owner, 16);
    store<u64>(p, this.worthlessAfterNs(limits, extraction), 24);
    memory.copy(p + <usize>HEADER, changetype<usize>(b), <usize>b.byteLength);
    memory.copy(p + <usize>HEADER + <usize>b.byteLength, changetype<usize>(x), <usize>x.byteLength);
    return out;
  }

  /** When a fresh record would be worth the same as this one: buckets refilled, windows and penalties over. */
  private worthlessAfterNs(limits: Limit[], extraction: ExtractionConfig | null): u64 {
    let t: u64 = 0;
    const b = this.buckets;
    for (let i = 0; i < limits.length; i++) {
      const l = limits[i];
      const deficit = l.capacity - b.levels[i];
      if (deficit <= 0) continue;
      const full = <f64>b.updatedNs + Math.ceil((deficit * l.windowNs) / l.rate);
      const at = full >= 1.8e19 ? u64.MAX_VALUE : <u64>full;
      if (at > t) t = at;
    }
    if (extraction !== null) {
      const x = this.extraction;
      const windowEnd = x.windowStartNs + <u64>extraction.windowSeconds * 1_000_000_000;
      if (windowEnd > t) t = windowEnd;
      if (x.blockedUntilNs > t) t = x.blockedUntilNs;
      if (x.throttledUntilNs > t) t = x.throttledUntilNs;
    }
    return t;
  }
}

/** The slot a client's record lives in (or will): its key and what was read there. */
class Slot {
  constructor(
    public key: string,
    public current: SharedDataValue | null,
    /** The record there is the client's own. */
    public owned: bool,
    /** Taking the slot throws out a record still worth something. */
    public evicts: bool,
  ) {}
}

function recordOwner(v: ArrayBuffer): u64 {
  return v.byteLength >= HEADER && load<u32>(changetype<usize>(v)) == VERSION ? load<u64>(changetype<usize>(v), 16) : 0;
}

/** 0 (worthless now) for anything unreadable. */
function recordWorthlessAfter(v: ArrayBuffer): u64 {
  return v.byteLength >= HEADER && load<u32>(changetype<usize>(v)) == VERSION ? load<u64>(changetype<usize>(v), 24) : 0;
}

/**
 * Probes the client's home slot and the next ones: its own record if there is one; otherwise a
 * worthless slot, or else the first empty one; otherwise (all probed slots live) the record that
 * stays valuable the shortest. An empty slot ends the search: records are never removed, so the
 * client's own is not further on.
 * Null when the host fails.
 */
function locate(policy: string, owner: u64, maxClients: u32, nowNs: u64): Slot | null {
  const slots = <u64>maxClients; // at least 1: the configuration refuses 0
  const probes = <u64>PROBES < slots ? <u64>PROBES : slots;
  let best: Slot | null = null;
  let bestUntil: u64 = u64.MAX_VALUE;
  for (let i: u64 = 0; i < probes; i++) {
    const key = slotKey(policy, <u32>((owner + i) % slots));
    const current = getSharedData(key);
    if (current === null) {
      if (lastStatus != WasmResult.NotFound) return null;
      return best !== null && bestUntil <= nowNs ? best : new Slot(key, null, false, false);
    }
    if (recordOwner(current.value) == owner) return new Slot(key, current, true, false);
    const until = recordWorthlessAfter(current.value);
    if (best === null || until < bestUntil) {
      best = new Slot(key, current, false, until > nowNs);
      bestUntil = until;
    }
  }
  return best;
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
  /** The shared-data key of the client's record ("" if none was written). */
  slot: string = "";
  /** Another client's still-valuable record was evicted to make room. */
  evicted: bool = false;
}

/**
 * Records the request's extraction signals (if `extraction` is set) and takes its quota (if the
 * tier has limits) in one CAS update. A blocked or throttled-out client takes no quota.
 */
export function admitClient(
  policy: string, maxClients: u32, client: string, tier: string, limits: Limit[], extraction: ExtractionConfig | null,
  nowNs: u64, tokenCost: f64, fp: u64, sh: u64,
): ClientOutcome {
  const owner = clientHash(client);
  const th = tierHash(tier);
  // A throttle decision is taken once, not again on a CAS retry (it has its own bucket).
  let throttleChecked = false;
  let throttleAllowed = true;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const slot = locate(policy, owner, maxClients, nowNs);
    if (slot === null) break;
    const current = slot.current;
    const rec = ClientRecord.decode(current !== null && slot.owned ? current.value : null, th, limits);
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
    // cas 0 writes unconditionally: only into a slot that was empty.
    const st = setSharedData(slot.key, rec.encode(owner, th, limits, extraction), current === null ? 0 : current.cas);
    if (st == WasmResult.Ok) {
      out.slot = slot.key;
      out.evicted = slot.evicts;
      return out;
    }
    if (st != WasmResult.CasMismatch) break;
  }
  const failed = new ClientOutcome();
  failed.failed = true;
  return failed;
}

/**
 * Gives back (or charges more of) a token budget once the real usage is known, in the slot the
 * request was admitted from; nothing to do if the record has since gone to another client.
 */
export function settleClient(
  slot: string, client: string, tier: string, limits: Limit[], extraction: ExtractionConfig | null, nowNs: u64, refund: f64,
): bool {
  const owner = clientHash(client);
  const th = tierHash(tier);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = getSharedData(slot);
    if (current === null) return lastStatus == WasmResult.NotFound;
    if (recordOwner(current.value) != owner) return true;
    const rec = ClientRecord.decode(current.value, th, limits);
    settleTokens(rec.buckets, limits, nowNs, refund);
    const st = setSharedData(slot, rec.encode(owner, th, limits, extraction), current.cas);
    if (st == WasmResult.Ok) return true;
    if (st != WasmResult.CasMismatch) return false;
  }
  return false;
}
