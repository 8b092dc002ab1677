// The filter's configuration after parsing: plain classes built once per VM in onConfigure
// (config.ts), read-only afterwards. Field meanings match operator/src/api/filter-config.ts.
import { Glob } from "../util/glob";
import { PatternSet } from "../util/pattern-set";
import { Limit } from "./quota";

export enum Protocol {
  Auto = 0,
  OpenAI = 1,
  KServeV1 = 2,
  OIPV2 = 3,
}

export class ClaimRequirement {
  /** Serialized property path of the claim (see claims.ts claimPath). */
  path: ArrayBuffer = new ArrayBuffer(0);
  values: string[] = [];
}

export class AccessRule {
  name: string = "";
  models: Glob[] = [];
  tiers: string[] = [];
  scopes: string[] = [];
  claims: ClaimRequirement[] = [];
  methods: string[] = [];
  paths: Glob[] = [];
}

export class TierConfig {
  name: string = "";
  /** Request-rate limits first, then token budgets; empty means unlimited. */
  limits: Limit[] = [];
  hasTokenBudget: bool = false;
  /** 0: no cap on max_tokens. */
  maxTokensPerRequest: i64 = 0;
}

export class ApiKeyEntry {
  client: string = "";
  tier: string = "";
}

export class IdentityConfig {
  jwtEnabled: bool = false;
  /** Property path prefix to the verified JWT payload: metadata, filter_metadata, <ns>, <key>. */
  claimPrefix: string[] = [];
  /** Serialized property paths of the claims the filter reads on every request. */
  clientIdPath: ArrayBuffer = new ArrayBuffer(0);
  tierPath: ArrayBuffer = new ArrayBuffer(0);
  scopePath: ArrayBuffer = new ArrayBuffer(0);
  /** Some rule requires scopes: only then is the scope claim read (each claim read is a
   *  proxy_get_property that walks Envoy's metadata; a list claim costs two). */
  scopesNeeded: bool = false;
  jtiPath: ArrayBuffer = new ArrayBuffer(0);
  defaultTier: string = "";
  apiKeyHeader: string = "";
  /** SHA-256 hex of each key → its client and tier. */
  apiKeys: Map<string, ApiKeyEntry> = new Map();
  revokedJti: Set<string> = new Set();
  revokedSub: Set<string> = new Set();
  /** Empty: do not set identity headers. */
  clientHeader: string = "";
  tierHeader: string = "";
}

export enum FieldType {
  Any = 0,
  String = 1,
  Number = 2,
  Integer = 3,
  Boolean = 4,
  Array = 5,
  Object = 6,
}

export class FieldRuleConfig {
  pathText: string = "";
  type: FieldType = FieldType.Any;
  required: bool = false;
  hasMinimum: bool = false;
  minimum: f64 = 0;
  hasMaximum: bool = false;
  maximum: f64 = 0;
  /** 0: no limit. */
  maxLength: i64 = 0;
  enumValues: string[] = [];
}

export class PromptConfig {
  /** ASCII case-insensitive globs; a match anywhere in a prompt denies. */
  denyPatterns: PatternSet = new PatternSet();
  /** 0: no limit. */
  maxChars: i64 = 0;
}

export class ExtractionConfig {
  enabled: bool = false;
  /** 0 log, 1 throttle, 2 block. */
  action: i32 = 0;
  windowSeconds: i64 = 300;
  minRequests: i64 = 50;
  maxRequestsPerWindow: i64 = 1000;
  noveltyPercent: i64 = 95;
  sweepPercent: i64 = 80;
  scoreThreshold: i64 = 70;
  throttleRequestsPerMinute: i64 = 0;
  /** The bucket a throttled client is held to, built once from throttleRequestsPerMinute. */
  throttleLimits: Limit[] = [];
  blockSeconds: i64 = 600;
}

export class ResponseConfig {
  enabled: bool = false;
  /** -1: do not round. */
  probabilityDecimals: i32 = -1;
  /** 0: keep all. */
  topK: i32 = 0;
}

export class AuditConfig {
  allowSamplePercent: i32 = 1;
}

/** Reporting to the cluster-wide extraction detector (absent: nothing is recorded or sent). */
export class DetectorConfig {
  enabled: bool = false;
  cluster: string = "";
  authority: string = "";
  path: string = "";
  token: string = "";
  flushMilliseconds: u32 = 2000;
  maxRecords: i32 = 1024;
  timeoutMilliseconds: u32 = 1000;
}

/** A block or throttle on one client until `expiresAtNs` (the filter enforces the expiry itself). */
export class Restriction {
  block: bool = false;
  expiresAtNs: u64 = 0;
  /** The throttle bucket, built once at configure. */
  limits: Limit[] = [];
}
