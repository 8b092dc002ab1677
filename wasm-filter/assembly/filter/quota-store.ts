// A token bucket of its own in proxy-wasm shared data (throttles of flagged or restricted
// clients), updated with compare-and-swap so that every VM of the pod counts against it. Tier
// quotas live in the client record (client-store.ts).
import { getSharedData, lastStatus, setSharedData, WasmResult } from "../abi";
import { BucketState, Limit, QuotaOutcome, takeQuota } from "./quota";

const MAX_ATTEMPTS = 16;

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
