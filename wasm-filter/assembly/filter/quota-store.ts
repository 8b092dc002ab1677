// Token buckets in proxy-wasm shared data, updated with compare-and-swap so that every VM
// (Envoy worker thread) of the pod counts against the same buckets.
import { getSharedData, lastStatus, setSharedData, WasmResult } from "../abi";
import { BucketState, Limit, QuotaOutcome, settleTokens, takeQuota } from "./quota";

const MAX_ATTEMPTS = 16;

/** Shared-data key for a client's buckets; the tier is part of it so a tier change starts fresh. */
export function quotaKey(policy: string, tier: string, client: string): string {
  return "mg/q/" + policy + "/" + tier + "/" + client;
}

/** null when the store kept failing (then the failure mode decides). */
export function takeShared(key: string, limits: Limit[], nowNs: u64, tokenCost: f64): QuotaOutcome | null {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = getSharedData(key);
    if (current === null && lastStatus != WasmResult.NotFound) return null;
    const state = BucketState.decode(current === null ? null : current.value, limits);
    const out = takeQuota(state, limits, nowNs, tokenCost);
    if (!out.allowed) return out; // nothing taken, nothing to write
    // cas 0 writes unconditionally: only for the first write of a new client.
    const st = setSharedData(key, state.encode(), current === null ? 0 : current.cas);
    if (st == WasmResult.Ok) return out;
    if (st != WasmResult.CasMismatch) return null;
  }
  return null;
}

/** Gives back (or charges more of) a token budget once the real usage is known. */
export function settleShared(key: string, limits: Limit[], nowNs: u64, refund: f64): bool {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = getSharedData(key);
    if (current === null) return lastStatus == WasmResult.NotFound;
    const state = BucketState.decode(current.value, limits);
    settleTokens(state, limits, nowNs, refund);
    const st = setSharedData(key, state.encode(), current.cas);
    if (st == WasmResult.Ok) return true;
    if (st != WasmResult.CasMismatch) return false;
  }
  return false;
}
