// Runs recorded requests through the real compiled filter in this host and reports each
// decision. Shared by `modelguard simulate`, the filter's tests and its benches.
import { jwtPayloadProperties } from "./properties.js";
import type { PropertyTree, PropertyValue } from "./properties.js";
import type { ProxyWasmHost } from "./host.js";
import type { ExchangeResult, UpstreamResponse } from "./exchange.js";
import type { WasmVm } from "./vm.js";

/** One request, as a line of a `simulate` input file. */
export interface SimRequest {
  id?: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  bodyBase64?: string;
  /** Verified JWT claims, delivered where Envoy's jwt_authn puts them (dynamic metadata). */
  claims?: Record<string, PropertyValue>;
  /** Peer principal (`spiffe://…`) or address of the caller. */
  source?: string;
  /** Advance the host clock by this much before the request. */
  delayMs?: number;
  /** What the model answers if the request gets through (default: 200 with `{}`). */
  response?: { status?: number; headers?: Record<string, string>; body?: string };
}

/** One decision, as a line of `simulate` output. */
export interface SimDecision {
  id: string;
  action: "allow" | "deny";
  status: number;
  reason: string;
  headers: Record<string, string>;
  /** The response body the client got (local reply or the possibly rewritten upstream body). */
  body?: string;
}

const DEFAULT_RESPONSE: UpstreamResponse = { status: 200, headers: { "content-type": "application/json" }, body: "{}" };

export function requestProperties(req: SimRequest): PropertyTree {
  const props: PropertyTree = req.claims ? jwtPayloadProperties(req.claims) : {};
  if (req.source !== undefined) {
    props.source = req.source.includes("/") ? { principal: req.source } : { address: req.source };
  }
  return props;
}

export function requestBody(req: SimRequest): Uint8Array | undefined {
  if (req.bodyBase64 !== undefined) return Buffer.from(req.bodyBase64, "base64");
  if (req.body !== undefined) return Buffer.from(req.body, "utf8");
  return undefined;
}

export function simulateOne(host: ProxyWasmHost, vm: WasmVm, req: SimRequest, index = 0): SimDecision {
  if (req.delayMs !== undefined && req.delayMs > 0) host.advanceTime(req.delayMs);
  const body = requestBody(req);
  const headers: Record<string, string> = {
    ":method": req.method ?? (body ? "POST" : "GET"),
    ":path": req.path,
    ":authority": "model.local",
    ":scheme": "http",
    ...(body ? { "content-length": String(body.length) } : {}),
    ...lowerKeys(req.headers ?? {}),
  };
  const upstream: UpstreamResponse = req.response
    ? { status: req.response.status ?? 200, headers: req.response.headers ?? {}, body: req.response.body ?? "" }
    : DEFAULT_RESPONSE;
  const result = host.exchange(vm, { headers, ...(body ? { body } : {}), properties: requestProperties(req) }, upstream);
  return toDecision(req.id ?? String(index + 1), result);
}

export function toDecision(id: string, r: ExchangeResult): SimDecision {
  const headers: Record<string, string> = {};
  const resp = r.response;
  for (const [k, v] of resp?.headers ?? []) if (!k.startsWith(":")) headers[k] = v;
  const reason = r.localReply ? (headers["x-modelguard-reason"] ?? r.localReply.details) : "";
  const status = resp?.status ?? 0;
  const denied = r.outcome === "local_reply";
  return {
    id,
    action: denied ? "deny" : "allow",
    status,
    reason,
    headers,
    ...(resp && resp.body.length > 0 ? { body: Buffer.from(resp.body).toString("utf8") } : {}),
  };
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}
