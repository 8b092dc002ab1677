// Applies extraction signals per client across all VMs: state in shared data (CAS), and the
// configured response (log, throttle to a per-minute rate, block for a while).
import { getSharedData, lastStatus, setSharedData, WasmResult } from "../abi";
import { FilterConfig } from "./config";
import { ExtractionState, observe } from "./extraction";
import { takeShared } from "./quota-store";
import { Reason } from "./reasons";

const MAX_ATTEMPTS = 16;

export class ExtractionDecision {
  score: i32 = 0;
  newlyFlagged: bool = false;
  /** -1, or ExtractionBlocked / ExtractionThrottled. */
  deny: i32 = -1;
  failed: bool = false;
}

export function checkExtraction(cfg: FilterConfig, client: string, nowNs: u64, fp: u64, sh: u64): ExtractionDecision {
  const d = new ExtractionDecision();
  const key = "mg/x/" + cfg.policy + "/" + client;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = getSharedData(key);
    if (current === null && lastStatus != WasmResult.NotFound) break;
    const state = ExtractionState.decode(current === null ? null : current.value);
    const v = observe(state, cfg.extraction, nowNs, fp, sh);
    const st = setSharedData(key, state.encode(), current === null ? 0 : current.cas);
    if (st == WasmResult.CasMismatch) continue;
    if (st != WasmResult.Ok) break;
    d.score = v.score;
    d.newlyFlagged = v.newlyFlagged;
    if (v.blocked) d.deny = <i32>Reason.ExtractionBlocked;
    else if (v.throttled) {
      const q = takeShared("mg/t/" + cfg.policy + "/" + client, cfg.extraction.throttleLimits, nowNs, 0);
      if (q === null) break;
      if (!q.allowed) d.deny = <i32>Reason.ExtractionThrottled;
    }
    return d;
  }
  d.failed = true;
  return d;
}
