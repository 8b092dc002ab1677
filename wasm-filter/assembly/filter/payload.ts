// Request body checks on the parsed JSON: model name, max_tokens, field constraints, SSRF in URL
// fields, base64 images and prompt rules. Pure: bytes and config in, an outcome out.
import { checkImage, ImageVerdict } from "../checks/image";
import { checkUrl, UrlVerdict } from "../checks/ssrf";
import { JsonError, JsonPath, JsonValue, parseJson, select } from "../json";
import { PatternSet } from "../util/pattern-set";
import { FieldRule, FilterConfig } from "./config";
import { FieldType } from "./config-types";
import { Reason } from "./reasons";

/** Tokens assumed for a completion when the request sets no max_tokens and the tier no cap. */
const DEFAULT_COMPLETION_TOKENS: f64 = 256;

export class BodyOutcome {
  /** -1 when the body passed. */
  reason: i32 = -1;
  /** The `model` field, for protocols that name the model in the body. */
  model: string | null = null;
  /** Tokens to reserve against the tier's budgets until the response settles them. */
  tokenEstimate: f64 = 0;
  /** The parsed body when it passed (the detector's sketch is taken from it). */
  root: JsonValue | null = null;
}

function denied(reason: Reason): BodyOutcome {
  const o = new BodyOutcome();
  o.reason = <i32>reason;
  return o;
}

export function jsonReason(e: JsonError): Reason {
  if (e == JsonError.TooDeep) return Reason.JsonTooDeep;
  if (e == JsonError.StringTooLong || e == JsonError.ArrayTooLong || e == JsonError.TooManyKeys || e == JsonError.TooManyValues) {
    return Reason.JsonTooLarge;
  }
  return Reason.JsonMalformed;
}

export function checkBody(cfg: FilterConfig, body: Uint8Array, isJson: bool, maxTokensCap: i64): BodyOutcome {
  if (!isJson) {
    // Non-JSON bodies (allowed by contentTypes) carry no fields to check; the model must be in the path.
    const o = new BodyOutcome();
    o.tokenEstimate = maxTokensCap > 0 ? <f64>maxTokensCap : DEFAULT_COMPLETION_TOKENS;
    return o;
  }
  const parsed = parseJson(body, cfg.jsonLimits);
  const root = parsed.value;
  if (parsed.error != JsonError.None || root === null) return denied(jsonReason(parsed.error));
  const out = new BodyOutcome();
  out.root = root;
  if (root.isObject()) {
    const m = root.get("model");
    if (m !== null && m.isString() && m.asString().length > 0) out.model = m.asString();
  }
  const maxTokens = requestedMaxTokens(root);
  if (maxTokens < -1) return denied(Reason.FieldInvalid);
  if (maxTokensCap > 0 && <i64>maxTokens > maxTokensCap) return denied(Reason.MaxTokensExceeded);

  const matches = new Array<JsonValue>();
  for (let i = 0; i < cfg.fields.length; i++) {
    if (!fieldOk(cfg.fields[i], root, matches)) return denied(Reason.FieldInvalid);
  }
  const urls = cfg.urls;
  if (urls !== null) {
    for (let i = 0; i < urls.paths.length; i++) {
      collect(root, urls.paths[i], matches);
      for (let j = 0; j < matches.length; j++) {
        const v = matches[j];
        if (!v.isString()) return denied(Reason.UrlMalformed);
        const verdict = checkUrl(v.asString(), urls.policy);
        if (verdict != UrlVerdict.Ok) return denied(urlReason(verdict));
      }
    }
  }
  const images = cfg.images;
  if (images !== null) {
    for (let i = 0; i < images.paths.length; i++) {
      collect(root, images.paths[i], matches);
      for (let j = 0; j < matches.length; j++) {
        const v = matches[j];
        if (!v.isString()) return denied(Reason.ImageMalformed);
        const verdict = checkImage(v.asString(), images.policy);
        if (verdict != ImageVerdict.Ok) return denied(imageReason(verdict));
      }
    }
  }
  let promptBytes: i64 = 0;
  const prompts = cfg.prompts;
  if (prompts !== null) {
    for (let i = 0; i < cfg.promptPaths.length; i++) {
      collect(root, cfg.promptPaths[i], matches);
      for (let j = 0; j < matches.length; j++) {
        const r = checkPromptValue(matches[j], prompts.denyPatterns);
        if (r < 0) return denied(Reason.PromptDenied);
        promptBytes += r;
      }
    }
    if (prompts.maxChars > 0 && promptBytes > prompts.maxChars) return denied(Reason.PromptTooLong);
  } else {
    promptBytes = <i64>body.length;
  }
  const completion = maxTokens >= 0 ? maxTokens : maxTokensCap > 0 ? <f64>maxTokensCap : DEFAULT_COMPLETION_TOKENS;
  // About four bytes of English text per token: an estimate, settled from `usage` later.
  out.tokenEstimate = Math.ceil(<f64>promptBytes / 4.0) + completion;
  return out;
}

function collect(root: JsonValue, path: JsonPath, out: Array<JsonValue>): void {
  out.length = 0;
  select(root, path, out);
}

/** max_tokens / max_completion_tokens: -1 when absent, -2 when not a non-negative integer. */
function requestedMaxTokens(root: JsonValue): f64 {
  if (!root.isObject()) return -1;
  let v = root.get("max_tokens");
  if (v === null) v = root.get("max_completion_tokens");
  if (v === null || v.isNull()) return -1;
  if (!v.isNumber()) return -2;
  const n = v.asNumber();
  if (n < 0 || n != Math.floor(n)) return -2;
  return n;
}

function fieldOk(rule: FieldRule, root: JsonValue, matches: Array<JsonValue>): bool {
  collect(root, rule.path, matches);
  const c = rule.cfg;
  if (matches.length == 0) return !c.required;
  for (let i = 0; i < matches.length; i++) {
    const v = matches[i];
    if (!typeOk(c.type, v)) return false;
    if (v.isNumber()) {
      const n = v.asNumber();
      if (c.hasMinimum && n < c.minimum) return false;
      if (c.hasMaximum && n > c.maximum) return false;
    }
    if (c.maxLength > 0) {
      if (v.isString() && <i64>String.UTF8.byteLength(v.asString()) > c.maxLength) return false;
      if (v.isArray() && <i64>v.size > c.maxLength) return false;
    }
    if (c.enumValues.length > 0 && (!v.isString() || !c.enumValues.includes(v.asString()))) return false;
  }
  return true;
}

function typeOk(t: FieldType, v: JsonValue): bool {
  switch (t) {
    case FieldType.String: return v.isString();
    case FieldType.Number: return v.isNumber();
    case FieldType.Integer: return v.isNumber() && v.asNumber() == Math.floor(v.asNumber()) && Math.abs(v.asNumber()) <= 9007199254740991;
    case FieldType.Boolean: return v.isBool();
    case FieldType.Array: return v.isArray();
    case FieldType.Object: return v.isObject();
    default: return true;
  }
}

/**
 * Prompt text of one matched value (a string, or OpenAI content parts `[{type, text}]`):
 * its UTF-8 size, or -1 when it contains a denied pattern.
 */
function checkPromptValue(v: JsonValue, patterns: PatternSet): i64 {
  if (v.isString()) return checkPromptText(v.asString(), patterns);
  if (!v.isArray()) return 0;
  let total: i64 = 0;
  const parts = v.items;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const t = p.isObject() ? p.get("text") : p.isString() ? p : null;
    if (t === null || !t.isString()) continue;
    const r = checkPromptText(t.asString(), patterns);
    if (r < 0) return -1;
    total += r;
  }
  return total;
}

function checkPromptText(s: string, patterns: PatternSet): i64 {
  if (patterns.foundIn(s)) return -1;
  return <i64>String.UTF8.byteLength(s);
}

function urlReason(v: UrlVerdict): Reason {
  if (v == UrlVerdict.SchemeDenied) return Reason.UrlSchemeDenied;
  if (v == UrlVerdict.HostDenied) return Reason.UrlHostDenied;
  if (v == UrlVerdict.PrivateAddress) return Reason.UrlPrivateAddress;
  return Reason.UrlMalformed;
}

function imageReason(v: ImageVerdict): Reason {
  if (v == ImageVerdict.FormatDenied) return Reason.ImageFormatDenied;
  if (v == ImageVerdict.TooLarge) return Reason.ImageTooLarge;
  if (v == ImageVerdict.DimensionsExceeded) return Reason.ImageDimensionsExceeded;
  return Reason.ImageMalformed;
}
