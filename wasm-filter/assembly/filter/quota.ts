// Per-client token buckets, pure: the edges (client-store.ts, quota-store.ts) keep them in proxy-wasm
// shared data with compare-and-swap, so every Envoy worker thread sees one count per client.

export const NS_PER_SECOND: f64 = 1e9;

/** One configured limit: `rate` units per `windowNs`, holding at most `capacity`. */
export class Limit {
  constructor(
    public rate: f64,
    public windowNs: f64,
    public capacity: f64,
    /** Request limits cost 1 per request; token budgets cost the estimated LLM tokens. */
    public tokens: bool,
  ) {}
}

/** Bucket levels for one client, in the order of the tier's limits. */
export class BucketState {
  levels: StaticArray<f64>;
  updatedNs: u64 = 0;

  constructor(n: i32) {
    this.levels = new StaticArray<f64>(n);
  }

  /** Layout: u64 updatedNs, then one f64 per bucket. Anything else starts fresh (full buckets). */
  static decode(buf: ArrayBuffer | null, limits: Limit[]): BucketState {
    const n = limits.length;
    const s = new BucketState(n);
    if (buf !== null && buf.byteLength == 8 + 8 * n) {
      const p = changetype<usize>(buf);
      s.updatedNs = load<u64>(p);
      for (let i = 0; i < n; i++) s.levels[i] = load<f64>(p + 8 + (<usize>i << 3));
    } else {
      for (let i = 0; i < n; i++) s.levels[i] = limits[i].capacity;
    }
    return s;
  }

  encode(): ArrayBuffer {
    const n = this.levels.length;
    const buf = new ArrayBuffer(8 + 8 * n);
    const p = changetype<usize>(buf);
    store<u64>(p, this.updatedNs);
    for (let i = 0; i < n; i++) store<f64>(p + 8 + (<usize>i << 3), this.levels[i]);
    return buf;
  }

  refill(limits: Limit[], nowNs: u64): void {
    const elapsed: f64 = nowNs > this.updatedNs ? <f64>(nowNs - this.updatedNs) : 0;
    for (let i = 0; i < limits.length; i++) {
      const l = limits[i];
      const level = this.levels[i] + (elapsed * l.rate) / l.windowNs;
      this.levels[i] = level > l.capacity ? l.capacity : level;
    }
    if (nowNs > this.updatedNs) this.updatedNs = nowNs;
  }
}

/** What a take decided, with what the x-ratelimit-* headers report. */
export class QuotaOutcome {
  allowed: bool = true;
  /** True when a token budget (not a request rate) refused. */
  byTokens: bool = false;
  retryAfterSeconds: i64 = 0;
  /** The most constraining request limit: its size, what is left, seconds until it is full. */
  limit: i64 = -1;
  remaining: i64 = -1;
  resetSeconds: i64 = 0;
}

/**
 * Takes one request (and `tokenCost` from token budgets) if every bucket has enough; otherwise
 * takes nothing. Mutates `state` only when allowed.
 */
export function takeQuota(state: BucketState, limits: Limit[], nowNs: u64, tokenCost: f64): QuotaOutcome {
  const out = new QuotaOutcome();
  state.refill(limits, nowNs);
  let waitNs: f64 = 0;
  for (let i = 0; i < limits.length; i++) {
    const l = limits[i];
    const cost = l.tokens ? tokenCost : 1.0;
    const level = state.levels[i];
    if (level + 1e-9 < cost) {
      out.allowed = false;
      if (l.tokens) out.byTokens = true;
      // A budget smaller than the cost can never be met: wait a whole window.
      const need = cost > l.capacity ? l.capacity : cost - level;
      const w = (need * l.windowNs) / l.rate;
      if (w > waitNs) waitNs = w;
    }
  }
  if (out.allowed) {
    for (let i = 0; i < limits.length; i++) {
      const l = limits[i];
      state.levels[i] -= l.tokens ? tokenCost : 1.0;
    }
  }
  out.retryAfterSeconds = <i64>Math.ceil(waitNs / NS_PER_SECOND);
  if (!out.allowed && out.retryAfterSeconds < 1) out.retryAfterSeconds = 1;
  reportTightest(state, limits, out);
  return out;
}

/** Settles a token budget once the response says how many tokens were really used. */
export function settleTokens(state: BucketState, limits: Limit[], nowNs: u64, refund: f64): void {
  state.refill(limits, nowNs);
  for (let i = 0; i < limits.length; i++) {
    const l = limits[i];
    if (!l.tokens) continue;
    const level = state.levels[i] + refund;
    state.levels[i] = level > l.capacity ? l.capacity : level;
  }
}

function reportTightest(state: BucketState, limits: Limit[], out: QuotaOutcome): void {
  let best: f64 = Infinity;
  for (let i = 0; i < limits.length; i++) {
    const l = limits[i];
    if (l.tokens) continue;
    const level = state.levels[i] < 0 ? 0 : state.levels[i];
    const share = level / l.capacity;
    if (share < best) {
      best = share;
      out.limit = <i64>l.capacity;
      out.remaining = <i64>Math.floor(level);
      out.resetSeconds = <i64>Math.ceil(((l.capacity - level) * l.windowNs) / l.rate / NS_PER_SECOND);
    }
  }
}
