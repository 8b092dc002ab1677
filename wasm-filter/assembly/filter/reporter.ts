// Per-VM buffer of per-client traffic records for the cluster-wide extraction detector. A request
// only appends a small pre-rendered record; the root context sends the batch from its tick with
// proxy_http_call, so reporting never waits on the network. When the buffer is full records are
// dropped and counted (the report says how many), never blocking a request.
import { ObjectText } from "./json-text";
import { SKETCH_DIMS } from "./sketch";

/** Bounds of one report (the detector's schema refuses more). */
const MAX_CLIENTS: i32 = 1024;
const MAX_TEXT: i32 = 256;

function clip(s: string): string {
  return s.length > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
}

class ClientBatch {
  records: string[] = [];
  constructor(public tier: string) {}
}

export class Reporter {
  private clients: Map<string, ClientBatch> = new Map();
  private order: string[] = [];
  private count: i32 = 0;
  private dropped: i64 = 0;
  private windowStartMs: i64 = -1;

  constructor(private maxRecords: i32) {}

  get pending(): i32 {
    return this.count;
  }

  record(clientId: string, tier: string, timeMs: i64, model: string, status: i32, reason: string, sketch: StaticArray<f64> | null): void {
    const client = clip(clientId);
    const known = this.clients.has(client);
    if (this.count >= this.maxRecords || (!known && this.order.length >= MAX_CLIENTS)) {
      this.dropped++;
      return;
    }
    if (this.windowStartMs < 0) this.windowStartMs = timeMs;
    let batch: ClientBatch;
    if (known) batch = this.clients.get(client);
    else {
      batch = new ClientBatch(clip(tier));
      this.clients.set(client, batch);
      this.order.push(client);
    }
    const r = new ObjectText().num("t", timeMs).str("model", clip(model)).num("status", <i64>status).str("reason", reason);
    if (sketch !== null) r.raw("x", sketchText(sketch));
    batch.records.push(r.toString());
    this.count++;
  }

  /** The report JSON for everything buffered, then an empty buffer; null when there is nothing to send. */
  take(policy: string, source: string, nowMs: i64): string | null {
    if (this.count == 0 && this.dropped == 0) return null;
    const clients = new Array<string>();
    for (let i = 0; i < this.order.length; i++) {
      const id = this.order[i];
      const b = this.clients.get(id);
      clients.push(new ObjectText().str("client", id).str("tier", b.tier).raw("records", "[" + b.records.join(",") + "]").toString());
    }
    const start = this.windowStartMs < 0 ? nowMs : this.windowStartMs;
    const out = new ObjectText()
      .num("version", 1)
      .str("policy", policy)
      .str("source", source)
      .num("windowStartMs", start)
      .num("windowEndMs", nowMs < start ? start : nowMs)
      .num("dropped", this.dropped)
      .raw("clients", "[" + clients.join(",") + "]")
      .toString();
    this.clients = new Map();
    this.order = [];
    this.count = 0;
    this.dropped = 0;
    this.windowStartMs = -1;
    return out;
  }
}

function sketchText(x: StaticArray<f64>): string {
  const parts = new Array<string>(SKETCH_DIMS);
  for (let j = 0; j < SKETCH_DIMS; j++) parts[j] = thousandths(x[j]);
  return "[" + parts.join(",") + "]";
}

/**
 * A sketch coordinate (already a multiple of 0.001) as decimal text from integer arithmetic:
 * general float printing costs more than the rest of a request's record. The text parses to the
 * same double as the value, as both are the double nearest to k/1000.
 */
function thousandths(v: f64): string {
  if (!isFinite(v)) return "0";
  // Beyond 2^53 / 1000 the integer route loses precision; such sums are rare enough to print as is.
  if (Math.abs(v) >= 9e12) return v.toString();
  const k = <i64>Math.round(v * 1000);
  if (k == 0) return "0";
  const neg = k < 0;
  const a = neg ? -k : k;
  const whole = a / 1000;
  const frac = <i32>(a % 1000);
  let text = whole.toString();
  if (frac != 0) {
    let f = frac.toString();
    while (f.length < 3) f = "0" + f;
    text += "." + f;
  }
  return neg ? "-" + text : text;
}
