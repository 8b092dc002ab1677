// Response hardening (round probabilities, keep the top k, strip fields) and LLM token usage,
// on the parsed JSON of a complete response body. Pure.
import { JsonValue, JsonLimits, JsonError, parseJson, removeAt, select, serializeJson } from "../json";
import { FilterConfig } from "./config";

export class HardenOutcome {
  /** The new body, or null to leave the response as it is. */
  rewritten: Uint8Array | null = null;
  /** `usage.total_tokens` (or prompt + completion) when the response reports it; -1 otherwise. */
  usedTokens: f64 = -1;
}

function responseLimits(): JsonLimits {
  const l = new JsonLimits();
  l.maxDepth = 64;
  l.maxStringLength = 16 << 20;
  l.maxArrayLength = 1 << 22;
  l.maxObjectKeys = 1 << 16;
  return l;
}

export function hardenResponse(cfg: FilterConfig, body: Uint8Array): HardenOutcome {
  const out = new HardenOutcome();
  const parsed = parseJson(body, responseLimits());
  const root = parsed.value;
  // A response we cannot parse is passed on unchanged: the model's output is not a client input.
  if (parsed.error != JsonError.None || root === null) return out;
  out.usedTokens = usage(root);
  if (!cfg.response.enabled) return out;
  let changed = false;
  for (let i = 0; i < cfg.stripPaths.length; i++) if (removeAt(root, cfg.stripPaths[i]) > 0) changed = true;
  const decimals = cfg.response.probabilityDecimals;
  const k = cfg.response.topK;
  if (decimals >= 0 || k > 0) {
    const matches = new Array<JsonValue>();
    for (let i = 0; i < cfg.probabilityPaths.length; i++) {
      matches.length = 0;
      select(root, cfg.probabilityPaths[i], matches);
      for (let j = 0; j < matches.length; j++) if (hardenProbabilities(matches[j], decimals, k)) changed = true;
    }
  }
  if (changed) out.rewritten = serializeJson(root);
  return out;
}

function usage(root: JsonValue): f64 {
  if (!root.isObject()) return -1;
  const u = root.get("usage");
  if (u === null || !u.isObject()) return -1;
  const total = u.get("total_tokens");
  if (total !== null && total.isNumber()) return total.asNumber();
  const p = u.get("prompt_tokens");
  const c = u.get("completion_tokens");
  if (p !== null && p.isNumber() && c !== null && c.isNumber()) return p.asNumber() + c.asNumber();
  return -1;
}

/** Rounds and/or keeps the k largest of an array of numbers (others become 0, so indices keep
 *  their class) or an object of class → number (others are removed). */
function hardenProbabilities(v: JsonValue, decimals: i32, k: i32): bool {
  if (v.isArray()) {
    const items = v.items;
    let changed = false;
    if (k > 0 && k < items.length) {
      const cut = kthLargest(items, k);
      // Ties at the cut keep the earliest entries, so exactly k survive.
      let ties = k - countAbove(items, cut);
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (!it.isNumber()) continue;
        const x = it.asNumber();
        if (x > cut) continue;
        if (x == cut && ties > 0) {
          ties--;
          continue;
        }
        if (x != 0) {
          v.setAt(i, JsonValue.number(0));
          changed = true;
        }
      }
    }
    if (decimals >= 0) {
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (!it.isNumber()) continue;
        const r = round(it.asNumber(), decimals);
        if (r != it.asNumber()) {
          v.setAt(i, JsonValue.number(r));
          changed = true;
        }
      }
    }
    return changed;
  }
  if (v.isObject()) {
    let changed = false;
    if (k > 0 && k < v.size) {
      const values = new Array<JsonValue>();
      for (let i = 0; i < v.size; i++) {
        const it = v.valueAt(i);
        if (it !== null) values.push(it);
      }
      const cut = kthLargest(values, k);
      let ties = k - countAbove(values, cut);
      const drop = new Array<string>();
      for (let i = 0; i < v.size; i++) {
        const it = v.valueAt(i);
        if (it === null || !it.isNumber()) continue;
        const x = it.asNumber();
        if (x > cut) continue;
        if (x == cut && ties > 0) {
          ties--;
          continue;
        }
        drop.push(v.keyAt(i));
      }
      for (let i = 0; i < drop.length; i++) v.remove(drop[i]);
      if (drop.length > 0) changed = true;
    }
    if (decimals >= 0) {
      for (let i = 0; i < v.size; i++) {
        const it = v.valueAt(i);
        if (it === null || !it.isNumber()) continue;
        const r = round(it.asNumber(), decimals);
        if (r != it.asNumber()) {
          v.set(v.keyAt(i), JsonValue.number(r));
          changed = true;
        }
      }
    }
    return changed;
  }
  return false;
}

function countAbove(items: Array<JsonValue>, cut: f64): i32 {
  let n = 0;
  for (let i = 0; i < items.length; i++) if (items[i].isNumber() && items[i].asNumber() > cut) n++;
  return n;
}

/** The k-th largest number among the items (k ≥ 1). */
function kthLargest(items: Array<JsonValue>, k: i32): f64 {
  const nums = new Array<f64>();
  for (let i = 0; i < items.length; i++) if (items[i].isNumber()) nums.push(items[i].asNumber());
  if (nums.length == 0) return Infinity;
  nums.sort((a: f64, b: f64): i32 => (a > b ? -1 : a < b ? 1 : 0));
  return nums[k <= nums.length ? k - 1 : nums.length - 1];
}

function round(x: f64, decimals: i32): f64 {
  const f = Math.pow(10, <f64>decimals);
  return Math.round(x * f) / f;
}
