// One stream: identify → authorize → quota → payload → (response) hardening. Every decision is
// final once made; denials are local replies with a stable reason code, a metric and an audit line.
import {
  BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, getBufferBytes, getCurrentTimeNanoseconds,
  getHeaderMapView, HeaderPair, HttpContext, MapType, PairsView, removeHeaderMapValue, replaceHeaderMapValue, sendLocalResponse,
  setBufferBytes,
} from "../abi";
import { lowerAscii } from "../util/ascii";
import { AuditRecord, writeAudit } from "./audit";
import { authorize } from "./authorize";
import { ClaimReader } from "./claims";
import { FilterConfig } from "./config";
import { TierConfig } from "./config-types";
import { fingerprint, simhash } from "./extraction";
import { admitClient, ClientOutcome, settleClient } from "./client-store";
import { Identity, identify } from "./identity";
import { ObjectText } from "./json-text";
import { Metrics } from "./metrics";
import { modelFromPath, modelInBody, pathClaimsModel, pathOnly } from "./model";
import { BodyOutcome, checkBody } from "./payload";
import { QuotaOutcome } from "./quota";
import { takeShared } from "./quota-store";
import { Reason, reasonCode, reasonStatus } from "./reasons";
import { hardenResponse } from "./response";
import { sketchJson } from "./sketch";
import { ModelGuardRoot } from "./root";

const NO_REASON: i32 = -1;

export class ModelGuardHttp extends HttpContext {
  private decided: bool = false;
  private denied: bool = false;
  private awaitingBody: bool = false;
  private identity: Identity | null = null;
  private tier: TierConfig | null = null;
  private claims: ClaimReader | null = null;
  private model: string = "";
  private modelKnown: bool = false;
  private authorized: bool = false;
  private method: string = "";
  private path: string = "";
  // Envoy exposes request headers only during the headers callback: what later phases need is
  // captured there.
  private contentType: string | null = null;
  private requestId: string = "";
  private quota: QuotaOutcome | null = null;
  /** The shared-data slot holding this client's record, for settling token usage later. */
  private clientSlot: string = "";
  private tokenEstimate: f64 = 0;
  private rewriteResponse: bool = false;
  private extractionScore: i32 = -1;
  private nowNs: u64 = 0;
  /** What the detector gets about this stream: the status the client saw, the reason, the sketch. */
  private finalStatus: i32 = 0;
  private denyCode: string = "";
  private sketch: StaticArray<f64> | null = null;

  constructor(contextId: u32, private mg: ModelGuardRoot) {
    super(contextId, mg);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.mg.config;
    if (cfg === null) return this.denyHeaders(null, Reason.ConfigInvalid);
    // One hostcall for every header this stream needs (see PairsView).
    const headers = getHeaderMapView(MapType.HttpRequestHeaders);
    const m = headers.get(":method");
    const p = headers.get(":path");
    this.method = m === null ? "" : m;
    this.path = p === null ? "" : pathOnly(p);
    this.contentType = headers.get("content-type");
    const rid = headers.get("x-request-id");
    this.requestId = rid === null ? "" : rid;

    const claims = new ClaimReader();
    this.claims = claims;
    const apiKey = cfg.identity.apiKeyHeader.length > 0 ? headers.get(cfg.identity.apiKeyHeader) : null;
    const idr = identify(cfg.identity, apiKey, claims);
    if (idr.failed) return this.failHeaders(cfg);
    const id = idr.identity;
    if (id === null) return this.denyHeaders(cfg, idr.reason);
    this.identity = id;
    if (!cfg.tiers.has(id.tier)) return this.denyHeaders(cfg, Reason.TierUnknown);
    this.tier = cfg.tiers.get(id.tier);
    // The key has done its job; the model never sees it. Identity headers overwrite client values.
    if (apiKey !== null) removeHeaderMapValue(MapType.HttpRequestHeaders, cfg.identity.apiKeyHeader);
    if (cfg.identity.clientHeader.length > 0) replaceHeaderMapValue(MapType.HttpRequestHeaders, cfg.identity.clientHeader, id.client);
    if (cfg.identity.tierHeader.length > 0) replaceHeaderMapValue(MapType.HttpRequestHeaders, cfg.identity.tierHeader, id.tier);

    const early = this.checkContentHeaders(cfg, headers, endOfStream);
    if (early != NO_REASON) return this.denyHeaders(cfg, <Reason>early);

    const fromPath = modelFromPath(cfg.protocol, p === null ? "" : p);
    if (fromPath !== null) {
      this.model = fromPath;
      this.modelKnown = true;
    } else if (pathClaimsModel(cfg.protocol, this.path)) {
      return this.denyHeaders(cfg, Reason.ModelUnknown);
    } else if (endOfStream || !modelInBody(cfg.protocol)) {
      // Nothing names a model (e.g. GET /v1/models): only rules matching every model apply.
      this.model = "";
      this.modelKnown = true;
    }
    if (this.modelKnown) {
      const why = authorize(cfg.rules, id, this.model, this.method, this.path, claims);
      if (why != NO_REASON) return this.denyHeaders(cfg, <Reason>why);
      this.authorized = true;
    }
    if (endOfStream) {
      const reason = this.admit(cfg, null);
      if (reason != NO_REASON) return this.denyHeaders(cfg, <Reason>reason);
      return FilterHeadersStatus.Continue;
    }
    // Body callbacks only arrive if headers continue; the body is held back until decided.
    this.awaitingBody = true;
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(bodySize: usize, endOfStream: bool): FilterDataStatus {
    if (this.decided || !this.awaitingBody) return FilterDataStatus.Continue;
    const cfg = this.mg.config;
    if (cfg === null) return this.denyData(null, Reason.ConfigInvalid);
    if (<i64>bodySize > cfg.maxBodyBytes) return this.denyData(cfg, Reason.BodyTooLarge);
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    return this.finishBody(cfg, bodySize) ? FilterDataStatus.Continue : FilterDataStatus.StopIterationNoBuffer;
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    // With trailers no body chunk ends the stream: decide on the buffered body now.
    if (this.decided || !this.awaitingBody) return FilterTrailersStatus.Continue;
    const cfg = this.mg.config;
    if (cfg === null) {
      this.denyData(null, Reason.ConfigInvalid);
      return FilterTrailersStatus.StopIteration;
    }
    return this.finishBody(cfg, 0) ? FilterTrailersStatus.Continue : FilterTrailersStatus.StopIteration;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const headers = getHeaderMapView(MapType.HttpResponseHeaders);
    const status = headers.get(":status");
    if (!this.denied && status !== null) this.finalStatus = <i32>parseLength(status);
    if (status == "429") {
      // A 429 from Envoy's global ratelimit filter (after this one in the chain) carries the
      // shared counter's headers: keep them, and give the client the Retry-After it lacks.
      const reset = headers.get("x-ratelimit-reset");
      if (reset !== null && headers.get("retry-after") === null) {
        replaceHeaderMapValue(MapType.HttpResponseHeaders, "retry-after", reset);
      }
      return FilterHeadersStatus.Continue;
    }
    const q = this.quota;
    if (q !== null && q.limit >= 0) {
      replaceHeaderMapValue(MapType.HttpResponseHeaders, "x-ratelimit-limit", q.limit.toString());
      replaceHeaderMapValue(MapType.HttpResponseHeaders, "x-ratelimit-remaining", q.remaining.toString());
      replaceHeaderMapValue(MapType.HttpResponseHeaders, "x-ratelimit-reset", q.resetSeconds.toString());
    }
    const cfg = this.mg.config;
    if (cfg === null || this.denied || endOfStream) return FilterHeadersStatus.Continue;
    // Only inference answers (the request named a model) carry probabilities or token usage;
    // anything else (a model list, health) is not buffered.
    if (this.model.length == 0) return FilterHeadersStatus.Continue;
    const t = this.tier;
    const settle = t !== null && t.hasTokenBudget;
    if (cfg.response.enabled || settle) {
      const ct = headers.get("content-type");
      if (ct !== null && isJson(ct)) {
        this.rewriteResponse = true;
        // The body may change length; let Envoy frame it.
        removeHeaderMapValue(MapType.HttpResponseHeaders, "content-length");
      }
    }
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodySize: usize, endOfStream: bool): FilterDataStatus {
    if (!this.rewriteResponse) return FilterDataStatus.Continue;
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    this.rewriteResponse = false;
    const cfg = this.mg.config;
    const body = getBufferBytes(BufferType.HttpResponseBody, 0, bodySize);
    if (cfg === null || body === null) return FilterDataStatus.Continue;
    const out = hardenResponse(cfg, Uint8Array.wrap(body));
    if (out.usedTokens >= 0) this.settle(cfg, out.usedTokens);
    const rewritten = out.rewritten;
    if (rewritten !== null) {
      setBufferBytes(BufferType.HttpResponseBody, 0, bodySize, rewritten.buffer);
      Metrics.inc(this.mg.metrics.responsesHardened);
    }
    return FilterDataStatus.Continue;
  }

  onLog(): void {
    const cfg = this.mg.config;
    if (cfg === null || !this.decided) return;
    const reporter = this.mg.reporter;
    const id = this.identity;
    if (reporter !== null && id !== null) {
      const now = this.nowNs != 0 ? this.nowNs : getCurrentTimeNanoseconds();
      reporter.record(id.client, id.tier, <i64>(now / 1_000_000), this.model, this.finalStatus, this.denyCode, this.sketch);
    }
    if (this.denied) return;
    this.mg.sequence++;
    const pct = <u64>cfg.audit.allowSamplePercent;
    if (pct == 0) return;
    // Deterministic sampling: a hash of the sequence spreads allows evenly over 100 buckets.
    if ((this.mg.sequence * 0x9e3779b97f4a7c15) >> 57 < (pct * 128) / 100) this.audit(cfg, "allow", "", 0);
  }

  // ---- decisions ------------------------------------------------------------------------

  /** Size and media type from the headers, before any byte of the body is read. */
  private checkContentHeaders(cfg: FilterConfig, headers: PairsView, endOfStream: bool): i32 {
    const cl = headers.get("content-length");
    if (cl !== null) {
      const n = parseLength(cl);
      if (n < 0) return <i32>Reason.FieldInvalid;
      if (n > cfg.maxBodyBytes) return <i32>Reason.BodyTooLarge;
    }
    if (endOfStream || cfg.contentTypes.length == 0) return NO_REASON;
    const ct = this.contentType;
    if (ct === null || !cfg.contentTypes.includes(mediaType(ct))) return <i32>Reason.ContentTypeUnsupported;
    return NO_REASON;
  }

  /** The body is complete: validate it, then admit. Returns false when denied. */
  private finishBody(cfg: FilterConfig, bodySize: usize): bool {
    this.awaitingBody = false;
    const size = bodySize > 0 ? bodySize : <usize>cfg.maxBodyBytes;
    const body = getBufferBytes(BufferType.HttpRequestBody, 0, size);
    const bytes = body === null ? new Uint8Array(0) : Uint8Array.wrap(body);
    const ct = this.contentType;
    const json = ct !== null && isJson(ct);
    const tier = this.tier;
    const outcome: BodyOutcome = checkBody(cfg, bytes, json, tier === null ? 0 : tier.maxTokensPerRequest);
    if (outcome.reason != NO_REASON) {
      this.denyData(cfg, <Reason>outcome.reason);
      return false;
    }
    if (!this.modelKnown) {
      const bodyModel = outcome.model;
      if (bodyModel === null) {
        this.denyData(cfg, Reason.ModelUnknown);
        return false;
      }
      this.model = bodyModel;
      this.modelKnown = true;
    }
    const id = this.identity;
    const claims = this.claims;
    if (!this.authorized && id !== null && claims !== null) {
      const why = authorize(cfg.rules, id, this.model, this.method, this.path, claims);
      if (why != NO_REASON) {
        this.denyData(cfg, <Reason>why);
        return false;
      }
      this.authorized = true;
    }
    this.tokenEstimate = outcome.tokenEstimate;
    const root = outcome.root;
    if (this.mg.reporter !== null && root !== null) this.sketch = sketchJson(root);
    const reason = this.admit(cfg, bytes);
    if (reason != NO_REASON) {
      this.denyData(cfg, <Reason>reason);
      return false;
    }
    return true;
  }

  /** Extraction signals and quotas: the last steps before a request is let through. */
  private admit(cfg: FilterConfig, body: Uint8Array | null): i32 {
    const id = this.identity;
    const tier = this.tier;
    if (id === null || tier === null) return <i32>Reason.InternalError;
    const now = getCurrentTimeNanoseconds();
    this.nowNs = now;
    if (cfg.restrictions.size > 0 && cfg.restrictions.has(id.client)) {
      const why = this.restricted(cfg, id.client, now);
      if (why != NO_REASON) return why;
    }
    const extraction = cfg.extraction.enabled ? cfg.extraction : null;
    if (extraction !== null || tier.limits.length > 0) {
      let fp: u64 = 0;
      let sh: u64 = 0;
      if (extraction !== null) {
        const ptr = body === null ? changetype<usize>(this.path) : body.dataStart;
        const len = body === null ? this.path.length << 1 : body.length;
        fp = fingerprint(ptr, len);
        sh = simhash(ptr, len);
      }
      const c: ClientOutcome = admitClient(cfg.policy, cfg.maxClients, id.client, tier.name, tier.limits, extraction, now, this.tokenEstimate, fp, sh);
      if (c.failed) return this.failReason(cfg);
      this.clientSlot = c.slot;
      if (c.evicted) Metrics.inc(this.mg.metrics.clientsEvicted);
      const x = c.extraction;
      if (x !== null) {
        this.extractionScore = x.score;
        if (x.newlyFlagged) {
          Metrics.inc(this.mg.metrics.extractionFlagged);
          this.audit(cfg, "flag", "extraction_suspected", 0);
        }
        if (x.blocked) return <i32>Reason.ExtractionBlocked;
        if (c.throttled) return <i32>Reason.ExtractionThrottled;
      }
      const q = c.quota;
      if (q !== null) {
        this.quota = q;
        if (!q.allowed) return q.byTokens ? <i32>Reason.TokenBudgetExceeded : <i32>Reason.QuotaExceeded;
      }
    }
    this.decided = true;
    Metrics.inc(this.mg.metrics.allowed);
    return NO_REASON;
  }

  /** A detector (or administrator) restriction on this client, until it expires. */
  private restricted(cfg: FilterConfig, client: string, now: u64): i32 {
    const r = cfg.restrictions.get(client);
    if (now >= r.expiresAtNs) return NO_REASON;
    if (r.block) return <i32>Reason.ClientBlocked;
    const q = takeShared("mg/r/" + cfg.policy + "/" + client, r.limits, now, 0);
    if (q === null) return this.failReason(cfg);
    if (q.allowed) return NO_REASON;
    this.quota = q;
    return <i32>Reason.ClientThrottled;
  }

  private settle(cfg: FilterConfig, used: f64): void {
    const id = this.identity;
    const tier = this.tier;
    if (id === null || tier === null || !tier.hasTokenBudget || this.clientSlot.length == 0) return;
    const extraction = cfg.extraction.enabled ? cfg.extraction : null;
    settleClient(this.clientSlot, id.client, tier.name, tier.limits, extraction, getCurrentTimeNanoseconds(), this.tokenEstimate - used);
  }

  /** Internal failure: the failure mode decides. Returns NO_REASON when failing open. */
  private failReason(cfg: FilterConfig): i32 {
    if (cfg.failOpen) {
      Metrics.inc(this.mg.metrics.failedOpen);
      return NO_REASON;
    }
    return <i32>Reason.InternalError;
  }

  private failHeaders(cfg: FilterConfig): FilterHeadersStatus {
    if (this.failReason(cfg) == NO_REASON) {
      this.decided = true;
      return FilterHeadersStatus.Continue;
    }
    return this.denyHeaders(cfg, Reason.InternalError);
  }

  private denyHeaders(cfg: FilterConfig | null, reason: Reason): FilterHeadersStatus {
    this.deny(cfg, reason);
    return FilterHeadersStatus.StopIteration;
  }

  private denyData(cfg: FilterConfig | null, reason: Reason): FilterDataStatus {
    this.deny(cfg, reason);
    return FilterDataStatus.StopIterationNoBuffer;
  }

  private deny(cfg: FilterConfig | null, reason: Reason): void {
    this.decided = true;
    this.denied = true;
    this.awaitingBody = false;
    const status = reasonStatus(reason);
    const code = reasonCode(reason);
    this.finalStatus = <i32>status;
    this.denyCode = code;
    this.mg.metrics.deny(reason);
    const headers: HeaderPair[] = [new HeaderPair("content-type", "application/json"), new HeaderPair("x-modelguard-reason", code)];
    const q = this.quota;
    if ((reason == Reason.QuotaExceeded || reason == Reason.TokenBudgetExceeded || reason == Reason.ClientThrottled) && q !== null) {
      headers.push(new HeaderPair("retry-after", q.retryAfterSeconds.toString()));
      headers.push(new HeaderPair("x-ratelimit-limit", q.limit.toString()));
      headers.push(new HeaderPair("x-ratelimit-remaining", "0"));
      headers.push(new HeaderPair("x-ratelimit-reset", q.retryAfterSeconds.toString()));
    } else if (reason == Reason.ExtractionThrottled) {
      headers.push(new HeaderPair("retry-after", "60"));
    }
    if (status == 401) headers.push(new HeaderPair("www-authenticate", 'Bearer realm="modelguard"'));
    const body = new ObjectText()
      .raw("error", new ObjectText().str("code", code).str("message", messageFor(reason)).num("status", <i64>status).toString())
      .toString();
    sendLocalResponse(status, "modelguard_" + code, String.UTF8.encode(body), headers);
    if (cfg !== null) this.audit(cfg, "deny", code, <i32>status);
  }

  private audit(cfg: FilterConfig, decision: string, reason: string, status: i32): void {
    const r = new AuditRecord();
    r.policy = cfg.policy;
    r.decision = decision;
    r.reason = reason;
    r.status = status;
    const id = this.identity;
    if (id !== null) {
      r.client = id.client;
      r.tier = id.tier;
    }
    r.model = this.model;
    r.method = this.method;
    r.path = this.path;
    r.requestId = this.requestId;
    r.extractionScore = this.extractionScore;
    r.timeMs = <i64>(getCurrentTimeNanoseconds() / 1_000_000);
    writeAudit(r);
  }
}

function messageFor(r: Reason): string {
  switch (r) {
    case Reason.Unauthenticated: return "a valid token or API key is required";
    case Reason.ApiKeyInvalid: return "the API key is not valid";
    case Reason.TokenRevoked: return "the credential has been revoked";
    case Reason.QuotaExceeded: return "request quota exceeded; retry later";
    case Reason.ClientThrottled: return "this client is throttled for a while; retry later";
    case Reason.ClientBlocked: return "this client is blocked for a while";
    case Reason.TokenBudgetExceeded: return "token budget exceeded; retry later";
    case Reason.BodyTooLarge: return "request body too large";
    case Reason.ContentTypeUnsupported: return "unsupported content type";
    case Reason.ConfigInvalid: return "the endpoint's protection is not configured";
    case Reason.InternalError: return "the request could not be checked";
    default: return "request denied by policy";
  }
}

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaType(ct: string): string {
  let end = ct.indexOf(";");
  if (end < 0) end = ct.length;
  return lowerAscii(ct.substring(0, end).trim());
}

export function isJson(ct: string): bool {
  const m = mediaType(ct);
  return m == "application/json" || m.endsWith("+json");
}

/** Content-Length as a number; -1 when it is not one. */
function parseLength(s: string): i64 {
  if (s.length == 0 || s.length > 18) return -1;
  let n: i64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + <i64>(c - 0x30);
  }
  return n;
}
