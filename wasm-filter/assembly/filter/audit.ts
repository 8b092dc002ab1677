// One JSON line per decision (every denial, a sample of allows), through proxy_log at info.
// Never a token, an API key or a body; the path is logged without its query string.
import { log, LogLevel } from "../abi";
import { ObjectText } from "./json-text";
import { pathOnly } from "./model";

const MAX_FIELD = 256;

function clip(s: string): string {
  return s.length > MAX_FIELD ? s.substring(0, MAX_FIELD) : s;
}

export class AuditRecord {
  policy: string = "";
  decision: string = "";
  reason: string = "";
  status: i32 = 0;
  client: string = "";
  tier: string = "";
  model: string = "";
  method: string = "";
  path: string = "";
  requestId: string = "";
  extractionScore: i32 = -1;
  timeMs: i64 = 0;
}

export function renderAudit(r: AuditRecord): string {
  const o = new ObjectText()
    .str("modelguard", "audit")
    .num("ts", r.timeMs)
    .str("policy", r.policy)
    .str("decision", r.decision)
    .str("reason", r.reason)
    .num("status", r.status)
    .str("client", clip(r.client))
    .str("tier", clip(r.tier))
    .str("model", clip(r.model))
    .str("method", clip(r.method))
    .str("path", clip(pathOnly(r.path)))
    .str("requestId", clip(r.requestId));
  if (r.extractionScore >= 0) o.num("extractionScore", r.extractionScore);
  return o.toString();
}

export function writeAudit(r: AuditRecord): void {
  log(LogLevel.Info, renderAudit(r));
}
