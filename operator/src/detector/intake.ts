/**
 * Puts one policy's records back in time order. Each pod reports every couple of seconds, so a
 * client's consecutive requests (spread over pods by the load balancer) arrive in different
 * reports, interleaved and possibly late. A record is released once every live pod has reported
 * past its time (a pod's `windowEndMs` is a watermark: it has sent every record before it), or
 * once it is `maxLatenessMs` old, whichever comes first. Released records come out sorted by
 * (time, source, window, position), so arrival order never changes the result.
 */
import type { Report, ReportRecord } from "./report.js";

export interface PendingRecord {
  t: number;
  source: string;
  windowEndMs: number;
  position: number;
  client: string;
  tier: string;
  record: ReportRecord;
}

interface SourceState {
  windowEndMs: number;
  heardAtMs: number;
  /** Fingerprints of the reports already taken, to ignore one delivered twice. */
  recent: string[];
}

const REMEMBERED_WINDOWS = 32;

export class PolicyIntake {
  private readonly sources = new Map<string, SourceState>();
  private pending: PendingRecord[] = [];
  /** Everything before this time has been released. */
  private released = -Infinity;

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Queues a report's records. Returns how many arrived after their time was released (late), or -1 for a duplicate report. */
  add(report: Report, receivedAtMs: number): number {
    const window = reportFingerprint(report);
    let source = this.sources.get(report.source);
    if (source?.recent.includes(window)) return -1;
    if (source === undefined) {
      source = { windowEndMs: report.windowEndMs, heardAtMs: receivedAtMs, recent: [] };
      this.sources.set(report.source, source);
    }
    source.recent.push(window);
    if (source.recent.length > REMEMBERED_WINDOWS) source.recent.shift();
    source.windowEndMs = Math.max(source.windowEndMs, report.windowEndMs);
    source.heardAtMs = Math.max(source.heardAtMs, receivedAtMs);

    let late = 0;
    let position = 0;
    for (const c of report.clients) {
      for (const record of c.records) {
        if (record.t < this.released) late++;
        this.pending.push({ t: record.t, source: report.source, windowEndMs: report.windowEndMs, position: position++, client: c.client, tier: c.tier, record });
      }
    }
    return late;
  }

  /** Records whose turn has come at `nowMs`, in order. */
  release(nowMs: number, maxLatenessMs: number, sourceTimeoutMs: number): PendingRecord[] {
    let watermark = Infinity;
    for (const [name, s] of this.sources) {
      if (s.heardAtMs < nowMs - 10 * sourceTimeoutMs) this.sources.delete(name);
      else if (s.heardAtMs >= nowMs - sourceTimeoutMs) watermark = Math.min(watermark, s.windowEndMs);
    }
    if (watermark === Infinity) watermark = -Infinity;
    watermark = Math.max(watermark, nowMs - maxLatenessMs);
    return this.take((p) => p.t < watermark, watermark);
  }

  /** The `count` oldest records, when too many are waiting. */
  releaseOldest(count: number): PendingRecord[] {
    this.pending.sort(byTimeThenOrigin);
    const out = this.pending.splice(0, count);
    const last = out[out.length - 1];
    if (last !== undefined) this.released = Math.max(this.released, last.t + 1);
    return out;
  }

  private take(ready: (p: PendingRecord) => boolean, watermark: number): PendingRecord[] {
    const out: PendingRecord[] = [];
    const keep: PendingRecord[] = [];
    for (const p of this.pending) (ready(p) ? out : keep).push(p);
    this.pending = keep;
    this.released = Math.max(this.released, watermark);
    return out.sort(byTimeThenOrigin);
  }
}

/**
 * What tells a report apart from another of the same source: its window and its contents (a VM
 * may send several reports for one window), so only a report delivered twice matches.
 */
function reportFingerprint(report: Report): string {
  let h = 2166136261;
  const mix = (v: number) => {
    h = Math.imul(h ^ (v >>> 0), 16777619);
    h = Math.imul(h ^ Math.floor(v / 4294967296), 16777619);
  };
  for (const c of report.clients) {
    for (let i = 0; i < c.client.length; i++) mix(c.client.charCodeAt(i));
    for (const r of c.records) {
      mix(r.t);
      mix(r.status);
      if (r.x !== undefined) mix(Math.round((r.x[0] as number) * 1000));
    }
  }
  return `${report.windowStartMs}:${report.windowEndMs}:${report.dropped}:${h >>> 0}`;
}

function byTimeThenOrigin(a: PendingRecord, b: PendingRecord): number {
  return a.t - b.t || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0) || a.windowEndMs - b.windowEndMs || a.position - b.position;
}
