// Parses the plugin configuration (JSON written by the translator, schema in
// operator/src/api/filter-config.ts) into typed, precompiled form, once per VM. Any mismatch is
// an error with the offending field: the root context then refuses the config (fail closed).
import { JsonKind, JsonValue, parseJson, JsonLimits, JsonError, compilePath, JsonPath } from "../json";
import { compileGlob } from "../util/glob";
import { lowerAscii } from "../util/ascii";
import {
  AccessRule, ApiKeyEntry, AuditConfig, ClaimRequirement, DetectorConfig, ExtractionConfig, FieldRuleConfig, FieldType,
  IdentityConfig, PromptConfig, Protocol, ResponseConfig, Restriction, TierConfig,
} from "./config-types";
import { claimPath } from "./claims";
import { DEFAULT_MAX_CLIENTS } from "./client-store";
import { Limit, NS_PER_SECOND } from "./quota";
import { UrlPolicy } from "../checks/ssrf";
import { ImagePolicy } from "../checks/image";

export const CONFIG_VERSION: i64 = 1;

export class FieldRule {
  constructor(public cfg: FieldRuleConfig, public path: JsonPath) {}
}

export class PathsWith<T> {
  constructor(public paths: JsonPath[], public policy: T) {}
}

/** The largest client table a configuration may ask for (16 Mi slots). */
const MAX_CLIENTS_LIMIT: i64 = 1 << 24;

export class FilterConfig {
  policy: string = "";
  protocol: Protocol = Protocol.Auto;
  failOpen: bool = false;
  identity: IdentityConfig = new IdentityConfig();
  tiers: Map<string, TierConfig> = new Map();
  rules: AccessRule[] = [];
  maxBodyBytes: i64 = 1048576;
  /** Shared-data slots for per-client records (quota buckets, extraction state) per policy. */
  maxClients: u32 = DEFAULT_MAX_CLIENTS;
  contentTypes: string[] = [];
  jsonLimits: JsonLimits = new JsonLimits();
  fields: FieldRule[] = [];
  urls: PathsWith<UrlPolicy> | null = null;
  images: PathsWith<ImagePolicy> | null = null;
  promptPaths: JsonPath[] = [];
  prompts: PromptConfig | null = null;
  extraction: ExtractionConfig = new ExtractionConfig();
  response: ResponseConfig = new ResponseConfig();
  probabilityPaths: JsonPath[] = [];
  stripPaths: JsonPath[] = [];
  audit: AuditConfig = new AuditConfig();
  detector: DetectorConfig = new DetectorConfig();
  /** Client id → its restriction. */
  restrictions: Map<string, Restriction> = new Map();
}

/** The config, or the first problem found (`field: what is wrong`). */
export class ConfigResult {
  config: FilterConfig | null = null;
  error: string = "";
}

// Without closures or exceptions, a reader carries the first error and every accessor returns
// a harmless default once it is set; the caller checks `error` at the end.
class Reader {
  error: string = "";

  fail(field: string, what: string): void {
    if (this.error.length == 0) this.error = field + ": " + what;
  }

  obj(v: JsonValue | null, field: string): JsonValue {
    if (v === null || !v.isObject()) {
      this.fail(field, "must be an object");
      return JsonValue.object();
    }
    return v;
  }

  optObj(parent: JsonValue, key: string, field: string): JsonValue | null {
    const v = parent.get(key);
    if (v === null) return null;
    return this.obj(v, field + "." + key);
  }

  str(parent: JsonValue, key: string, field: string): string {
    const v = parent.get(key);
    if (v === null || !v.isString()) {
      this.fail(field + "." + key, "must be a string");
      return "";
    }
    return v.asString();
  }

  optStr(parent: JsonValue, key: string, field: string): string {
    const v = parent.get(key);
    if (v === null) return "";
    if (!v.isString()) this.fail(field + "." + key, "must be a string");
    return v.isString() ? v.asString() : "";
  }

  bool(parent: JsonValue, key: string, field: string): bool {
    const v = parent.get(key);
    if (v === null || !v.isBool()) {
      this.fail(field + "." + key, "must be a boolean");
      return false;
    }
    return v.asBool();
  }

  /** A non-negative integer; `dflt` when absent and not required. */
  int(parent: JsonValue, key: string, field: string, required: bool, dflt: i64): i64 {
    const v = parent.get(key);
    if (v === null) {
      if (required) this.fail(field + "." + key, "is required");
      return dflt;
    }
    const n = v.isNumber() ? v.asNumber() : -1;
    if (!v.isNumber() || n < 0 || n != Math.floor(n) || n > 9007199254740991) {
      this.fail(field + "." + key, "must be a non-negative integer");
      return dflt;
    }
    return <i64>n;
  }

  optNum(parent: JsonValue, key: string, field: string): JsonValue | null {
    const v = parent.get(key);
    if (v !== null && !v.isNumber()) {
      this.fail(field + "." + key, "must be a number");
      return null;
    }
    return v;
  }

  strings(parent: JsonValue, key: string, field: string, required: bool): string[] {
    const out = new Array<string>();
    const v = parent.get(key);
    if (v === null) {
      if (required) this.fail(field + "." + key, "is required");
      return out;
    }
    if (!v.isArray()) {
      this.fail(field + "." + key, "must be an array of strings");
      return out;
    }
    const items = v.items;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (!it.isString()) {
        this.fail(field + "." + key + "[" + i.toString() + "]", "must be a string");
        continue;
      }
      out.push(it.asString());
    }
    return out;
  }

  objects(parent: JsonValue, key: string, field: string, required: bool): JsonValue[] {
    const out = new Array<JsonValue>();
    const v = parent.get(key);
    if (v === null) {
      if (required) this.fail(field + "." + key, "is required");
      return out;
    }
    if (!v.isArray()) {
      this.fail(field + "." + key, "must be an array");
      return out;
    }
    const items = v.items;
    for (let i = 0; i < items.length; i++) out.push(this.obj(items[i], field + "." + key + "[" + i.toString() + "]"));
    return out;
  }

  paths(parent: JsonValue, key: string, field: string, required: bool): JsonPath[] {
    const texts = this.strings(parent, key, field, required);
    const out = new Array<JsonPath>();
    for (let i = 0; i < texts.length; i++) {
      const p = compilePath(texts[i]);
      if (p === null) this.fail(field + "." + key + "[" + i.toString() + "]", "is not a field path");
      else out.push(p);
    }
    return out;
  }
}

/** Generous limits for the config document itself (it is trusted but can be large). */
function configLimits(): JsonLimits {
  const l = new JsonLimits();
  l.maxDepth = 32;
  l.maxStringLength = 1 << 20;
  l.maxArrayLength = 1 << 20;
  l.maxObjectKeys = 4096;
  return l;
}

export function parseConfig(bytes: Uint8Array): ConfigResult {
  const res = new ConfigResult();
  const parsed = parseJson(bytes, configLimits());
  if (parsed.error != JsonError.None || parsed.value === null) {
    res.error = "configuration is not valid JSON (error " + (<i32>parsed.error).toString() + " at byte " + parsed.offset.toString() + ")";
    return res;
  }
  const r = new Reader();
  const root = r.obj(parsed.value, "config");
  const c = new FilterConfig();
  if (r.int(root, "version", "config", true, 0) != CONFIG_VERSION) r.fail("config.version", "must be " + CONFIG_VERSION.toString());
  c.policy = r.str(root, "policy", "config");
  c.protocol = readProtocol(r, r.str(root, "protocol", "config"));
  const fm = r.str(root, "failureMode", "config");
  if (fm != "closed" && fm != "open") r.fail("config.failureMode", "must be closed or open");
  c.failOpen = fm == "open";
  readIdentity(r, r.obj(root.get("identity"), "config.identity"), c.identity);
  const maxClients = r.int(root, "maxClients", "config", false, DEFAULT_MAX_CLIENTS);
  if (maxClients < 1 || maxClients > MAX_CLIENTS_LIMIT) r.fail("config.maxClients", "must be from 1 to " + MAX_CLIENTS_LIMIT.toString());
  else c.maxClients = <u32>maxClients;
  const tiers = r.objects(root, "tiers", "config", true);
  for (let i = 0; i < tiers.length; i++) {
    const t = readTier(r, tiers[i], "config.tiers[" + i.toString() + "]");
    if (c.tiers.has(t.name)) r.fail("config.tiers[" + i.toString() + "].name", "is duplicated");
    c.tiers.set(t.name, t);
  }
  const rules = r.objects(root, "rules", "config", true);
  for (let i = 0; i < rules.length; i++) c.rules.push(readRule(r, rules[i], "config.rules[" + i.toString() + "]", c.identity.claimPrefix));
  for (let i = 0; i < c.rules.length; i++) if (c.rules[i].scopes.length > 0) c.identity.scopesNeeded = true;
  readPayload(r, r.obj(root.get("payload"), "config.payload"), c);
  const ex = r.optObj(root, "extraction", "config");
  if (ex !== null) readExtraction(r, ex, c.extraction);
  const resp = r.optObj(root, "response", "config");
  if (resp !== null) {
    c.response.enabled = true;
    c.response.probabilityDecimals = resp.has("probabilityDecimals") ? <i32>r.int(resp, "probabilityDecimals", "config.response", false, 0) : -1;
    if (c.response.probabilityDecimals > 12) r.fail("config.response.probabilityDecimals", "must be at most 12");
    c.response.topK = <i32>r.int(resp, "topK", "config.response", false, 0);
    c.probabilityPaths = r.paths(resp, "probabilityFields", "config.response", true);
    c.stripPaths = r.paths(resp, "stripFields", "config.response", true);
  }
  const audit = r.obj(root.get("audit"), "config.audit");
  c.audit.allowSamplePercent = <i32>r.int(audit, "allowSamplePercent", "config.audit", true, 0);
  if (c.audit.allowSamplePercent > 100) r.fail("config.audit.allowSamplePercent", "must be at most 100");
  const det = r.optObj(root, "detector", "config");
  if (det !== null) readDetector(r, det, c.detector);
  const restrictions = r.objects(root, "restrictions", "config", false);
  for (let i = 0; i < restrictions.length; i++) readRestriction(r, restrictions[i], "config.restrictions[" + i.toString() + "]", c.restrictions);
  crossCheck(r, c);
  if (r.error.length > 0) {
    res.error = r.error;
    return res;
  }
  res.config = c;
  return res;
}

function readProtocol(r: Reader, p: string): Protocol {
  if (p == "auto") return Protocol.Auto;
  if (p == "openai") return Protocol.OpenAI;
  if (p == "kserve-v1") return Protocol.KServeV1;
  if (p == "oip-v2") return Protocol.OIPV2;
  r.fail("config.protocol", "must be auto, openai, kserve-v1 or oip-v2");
  return Protocol.Auto;
}

function readIdentity(r: Reader, o: JsonValue, id: IdentityConfig): void {
  const f = "config.identity";
  id.jwtEnabled = r.bool(o, "jwtEnabled", f);
  id.claimPrefix = ["metadata", "filter_metadata", r.str(o, "jwtMetadataNamespace", f), r.str(o, "jwtPayloadKey", f)];
  id.clientIdPath = claimPath(id.claimPrefix, r.str(o, "clientIdClaim", f));
  id.tierPath = claimPath(id.claimPrefix, r.str(o, "tierClaim", f));
  id.scopePath = claimPath(id.claimPrefix, r.str(o, "scopeClaim", f));
  id.jtiPath = claimPath(id.claimPrefix, "jti");
  id.defaultTier = r.optStr(o, "defaultTier", f);
  id.apiKeyHeader = lowerAscii(r.optStr(o, "apiKeyHeader", f));
  const keys = r.objects(o, "apiKeys", f, true);
  for (let i = 0; i < keys.length; i++) {
    const kf = f + ".apiKeys[" + i.toString() + "]";
    const hash = r.str(keys[i], "sha256", kf);
    if (hash.length != 64) r.fail(kf + ".sha256", "must be 64 hex digits");
    const e = new ApiKeyEntry();
    e.client = r.str(keys[i], "client", kf);
    e.tier = r.str(keys[i], "tier", kf);
    id.apiKeys.set(hash, e);
  }
  const jti = r.strings(o, "revokedJti", f, true);
  for (let i = 0; i < jti.length; i++) id.revokedJti.add(jti[i]);
  const sub = r.strings(o, "revokedSub", f, true);
  for (let i = 0; i < sub.length; i++) id.revokedSub.add(sub[i]);
  id.clientHeader = lowerAscii(r.optStr(o, "clientHeader", f));
  id.tierHeader = lowerAscii(r.optStr(o, "tierHeader", f));
}

const WINDOWS: string[] = ["requestsPerSecond", "requestsPerMinute", "requestsPerHour", "requestsPerDay"];
const WINDOW_SECONDS: f64[] = [1, 60, 3600, 86400];

function readTier(r: Reader, o: JsonValue, f: string): TierConfig {
  const t = new TierConfig();
  t.name = r.str(o, "name", f);
  const burst = r.int(o, "burst", f, false, 0);
  let shortest = true;
  for (let i = 0; i < WINDOWS.length; i++) {
    const rate = r.int(o, WINDOWS[i], f, false, 0);
    if (rate <= 0) continue;
    // Burst sizes the shortest window's bucket; longer windows hold exactly their rate.
    const capacity: f64 = shortest && burst > 0 ? <f64>burst : <f64>rate;
    t.limits.push(new Limit(<f64>rate, WINDOW_SECONDS[i] * NS_PER_SECOND, capacity, false));
    shortest = false;
  }
  const tpm = r.int(o, "tokensPerMinute", f, false, 0);
  if (tpm > 0) t.limits.push(new Limit(<f64>tpm, 60 * NS_PER_SECOND, <f64>tpm, true));
  const tpd = r.int(o, "tokensPerDay", f, false, 0);
  if (tpd > 0) t.limits.push(new Limit(<f64>tpd, 86400 * NS_PER_SECOND, <f64>tpd, true));
  t.hasTokenBudget = tpm > 0 || tpd > 0;
  t.maxTokensPerRequest = r.int(o, "maxTokensPerRequest", f, false, 0);
  return t;
}

function readRule(r: Reader, o: JsonValue, f: string, claimPrefix: string[]): AccessRule {
  const rule = new AccessRule();
  rule.name = r.str(o, "name", f);
  const models = r.strings(o, "models", f, true);
  for (let i = 0; i < models.length; i++) rule.models.push(compileGlob(models[i], false));
  rule.tiers = r.strings(o, "tiers", f, true);
  rule.scopes = r.strings(o, "scopes", f, true);
  const claims = r.objects(o, "claims", f, true);
  for (let i = 0; i < claims.length; i++) {
    const c = new ClaimRequirement();
    const cf = f + ".claims[" + i.toString() + "]";
    c.path = claimPath(claimPrefix, r.str(claims[i], "claim", cf));
    c.values = r.strings(claims[i], "values", cf, true);
    rule.claims.push(c);
  }
  rule.methods = r.strings(o, "methods", f, true);
  const paths = r.strings(o, "paths", f, true);
  for (let i = 0; i < paths.length; i++) rule.paths.push(compileGlob(paths[i], false));
  return rule;
}

function fieldType(r: Reader, t: string, f: string): FieldType {
  if (t == "") return FieldType.Any;
  if (t == "string") return FieldType.String;
  if (t == "number") return FieldType.Number;
  if (t == "integer") return FieldType.Integer;
  if (t == "boolean") return FieldType.Boolean;
  if (t == "array") return FieldType.Array;
  if (t == "object") return FieldType.Object;
  r.fail(f, "is not a JSON type");
  return FieldType.Any;
}

function readPayload(r: Reader, o: JsonValue, c: FilterConfig): void {
  const f = "config.payload";
  c.maxBodyBytes = r.int(o, "maxBodyBytes", f, true, 0);
  const types = r.strings(o, "contentTypes", f, true);
  for (let i = 0; i < types.length; i++) c.contentTypes.push(lowerAscii(types[i]));
  const j = r.obj(o.get("json"), f + ".json");
  c.jsonLimits.maxDepth = <i32>r.int(j, "maxDepth", f + ".json", true, 1);
  c.jsonLimits.maxStringLength = <i32>r.int(j, "maxStringLength", f + ".json", true, 1);
  c.jsonLimits.maxArrayLength = <i32>r.int(j, "maxArrayLength", f + ".json", true, 1);
  c.jsonLimits.maxObjectKeys = <i32>r.int(j, "maxObjectKeys", f + ".json", true, 1);
  const fields = r.objects(o, "fields", f, true);
  for (let i = 0; i < fields.length; i++) {
    const ff = f + ".fields[" + i.toString() + "]";
    const fo = fields[i];
    const fc = new FieldRuleConfig();
    fc.pathText = r.str(fo, "path", ff);
    fc.type = fieldType(r, r.optStr(fo, "type", ff), ff + ".type");
    fc.required = r.bool(fo, "required", ff);
    const min = r.optNum(fo, "minimum", ff);
    if (min !== null) {
      fc.hasMinimum = true;
      fc.minimum = min.asNumber();
    }
    const max = r.optNum(fo, "maximum", ff);
    if (max !== null) {
      fc.hasMaximum = true;
      fc.maximum = max.asNumber();
    }
    fc.maxLength = r.int(fo, "maxLength", ff, false, 0);
    fc.enumValues = r.strings(fo, "enum", ff, false);
    const path = compilePath(fc.pathText);
    if (path === null) r.fail(ff + ".path", "is not a field path");
    else c.fields.push(new FieldRule(fc, path));
  }
  const urls = r.optObj(o, "urls", f);
  if (urls !== null) {
    const p = new UrlPolicy();
    p.allowedSchemes = r.strings(urls, "allowedSchemes", f + ".urls", true);
    p.allowedHosts = r.strings(urls, "allowedHosts", f + ".urls", true);
    p.denyPrivateAddresses = r.bool(urls, "denyPrivateAddresses", f + ".urls");
    c.urls = new PathsWith<UrlPolicy>(r.paths(urls, "fields", f + ".urls", true), p);
  }
  const images = r.optObj(o, "images", f);
  if (images !== null) {
    const p = new ImagePolicy();
    const fi = f + ".images";
    p.formats = r.strings(images, "formats", fi, true);
    p.maxDecodedBytes = r.int(images, "maxDecodedBytes", fi, true, 0);
    p.maxWidth = <i32>r.int(images, "maxWidth", fi, true, 0);
    p.maxHeight = <i32>r.int(images, "maxHeight", fi, true, 0);
    p.maxPixels = r.int(images, "maxPixels", fi, true, 0);
    c.images = new PathsWith<ImagePolicy>(r.paths(images, "fields", fi, true), p);
  }
  const prompts = r.optObj(o, "prompts", f);
  if (prompts !== null) {
    const p = new PromptConfig();
    c.promptPaths = r.paths(prompts, "fields", f + ".prompts", true);
    const patterns = r.strings(prompts, "denyPatterns", f + ".prompts", true);
    for (let i = 0; i < patterns.length; i++) p.denyPatterns.add(patterns[i]);
    p.maxChars = r.int(prompts, "maxChars", f + ".prompts", false, 0);
    c.prompts = p;
  }
}

function readExtraction(r: Reader, o: JsonValue, e: ExtractionConfig): void {
  const f = "config.extraction";
  e.enabled = true;
  const a = r.str(o, "action", f);
  if (a == "log") e.action = 0;
  else if (a == "throttle") e.action = 1;
  else if (a == "block") e.action = 2;
  else r.fail(f + ".action", "must be log, throttle or block");
  e.windowSeconds = r.int(o, "windowSeconds", f, true, 1);
  e.minRequests = r.int(o, "minRequests", f, true, 1);
  e.maxRequestsPerWindow = r.int(o, "maxRequestsPerWindow", f, true, 1);
  e.noveltyPercent = r.int(o, "noveltyPercent", f, true, 1);
  e.sweepPercent = r.int(o, "sweepPercent", f, true, 1);
  e.scoreThreshold = r.int(o, "scoreThreshold", f, true, 1);
  e.throttleRequestsPerMinute = r.int(o, "throttleRequestsPerMinute", f, false, 0);
  e.blockSeconds = r.int(o, "blockSeconds", f, true, 1);
  if (e.windowSeconds == 0 || e.maxRequestsPerWindow == 0 || e.noveltyPercent == 0 || e.sweepPercent == 0) {
    r.fail(f, "windows and saturation points must be positive");
  }
  if (e.action == 1 && e.throttleRequestsPerMinute == 0) r.fail(f + ".throttleRequestsPerMinute", "is required for throttle");
  if (e.throttleRequestsPerMinute > 0) {
    const rpm = <f64>e.throttleRequestsPerMinute;
    e.throttleLimits = [new Limit(rpm, 60 * NS_PER_SECOND, rpm, false)];
  }
}

function readDetector(r: Reader, o: JsonValue, d: DetectorConfig): void {
  const f = "config.detector";
  d.enabled = true;
  d.cluster = r.str(o, "cluster", f);
  d.authority = r.str(o, "authority", f);
  d.path = r.str(o, "path", f);
  d.token = r.str(o, "token", f);
  d.flushMilliseconds = <u32>r.int(o, "flushMilliseconds", f, true, 2000);
  d.maxRecords = <i32>r.int(o, "maxRecords", f, true, 1024);
  d.timeoutMilliseconds = <u32>r.int(o, "timeoutMilliseconds", f, true, 1000);
  if (d.cluster.length == 0 || !d.path.startsWith("/")) r.fail(f, "needs a cluster and a path starting with /");
  if (d.flushMilliseconds < 100 || d.flushMilliseconds > 60000) r.fail(f + ".flushMilliseconds", "must be 100-60000");
  if (d.maxRecords < 1 || d.maxRecords > 4096) r.fail(f + ".maxRecords", "must be 1-4096");
}

function readRestriction(r: Reader, o: JsonValue, f: string, into: Map<string, Restriction>): void {
  const client = r.str(o, "client", f);
  const action = r.str(o, "action", f);
  const x = new Restriction();
  if (action == "block") x.block = true;
  else if (action != "throttle") r.fail(f + ".action", "must be block or throttle");
  const rpm = r.int(o, "requestsPerMinute", f, action == "throttle", 0);
  if (action == "throttle" && rpm == 0) r.fail(f + ".requestsPerMinute", "must be positive");
  if (rpm > 0) x.limits = [new Limit(<f64>rpm, 60 * NS_PER_SECOND, <f64>rpm, false)];
  x.expiresAtNs = <u64>r.int(o, "expiresAtMs", f, true, 0) * 1_000_000;
  if (client.length == 0) r.fail(f + ".client", "must not be empty");
  // Two restrictions for one client: the stricter one (a block) wins.
  if (into.has(client) && into.get(client).block) return;
  into.set(client, x);
}

/** References between sections, checked once so request paths can trust them. */
function crossCheck(r: Reader, c: FilterConfig): void {
  if (c.tiers.size == 0) r.fail("config.tiers", "must not be empty");
  if (c.identity.defaultTier.length > 0 && !c.tiers.has(c.identity.defaultTier)) r.fail("config.identity.defaultTier", "names no tier");
  const keys = c.identity.apiKeys.values();
  for (let i = 0; i < keys.length; i++) {
    if (!c.tiers.has(keys[i].tier)) r.fail("config.identity.apiKeys", "an API key names no tier");
  }
  for (let i = 0; i < c.rules.length; i++) {
    const t = c.rules[i].tiers;
    for (let j = 0; j < t.length; j++) if (!c.tiers.has(t[j])) r.fail("config.rules[" + i.toString() + "].tiers", "names no tier");
  }
  if (c.maxBodyBytes <= 0) r.fail("config.payload.maxBodyBytes", "must be positive");
  if (!c.identity.jwtEnabled && c.identity.apiKeyHeader.length == 0) r.fail("config.identity", "neither JWT nor API keys are enabled");
}

export { JsonKind };
