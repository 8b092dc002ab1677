/**
 * The reference pipeline: each pod buffers one record per request (sketch, status, deny reason)
 * grouped by client, and a flush turns the buffer into one report, exactly as contract 2 says.
 * A buffer holds at most one report's worth of records and clients; beyond that, records are
 * dropped and counted, as the filter's bounded VM buffer does.
 */
import { MAX_REPORT_CLIENTS, MAX_REPORT_RECORDS, type Report, type ReportClient, type ReportRecord } from "../report.js";
import { sketchOf } from "../sketch.js";
import type { Pipeline, PipelineSetup } from "./pipeline.js";

interface Bucket {
  tokens: number;
  updatedMs: number;
}

class PodBuffer {
  windowStartMs: number | undefined;
  dropped = 0;
  count = 0;
  readonly clients = new Map<string, ReportClient>();
  readonly buckets = new Map<string, Bucket>();
}

export class ReferencePipeline implements Pipeline {
  private readonly pods: PodBuffer[];

  constructor(private readonly setup: PipelineSetup) {
    this.pods = Array.from({ length: setup.pods }, () => new PodBuffer());
  }

  handle(pod: number, client: string, tier: string, body: string, nowMs: number): void {
    const buf = this.pod(pod);
    buf.windowStartMs ??= nowMs;
    const x = sketchOf(body);
    let status: number;
    let reason = "";
    if (x === undefined) {
      status = 400;
      reason = "json_malformed";
    } else if (!this.admit(buf, client, tier, nowMs)) {
      status = 429;
      reason = "quota_exceeded";
    } else {
      status = this.setup.upstream(body);
    }
    const record: ReportRecord = { t: nowMs, model: this.setup.model, status, reason, ...(x !== undefined ? { x } : {}) };

    const key = `${client}\u0000${tier}`;
    const entry = buf.clients.get(key);
    if (buf.count >= MAX_REPORT_RECORDS || (entry === undefined && buf.clients.size >= MAX_REPORT_CLIENTS)) {
      buf.dropped++;
      return;
    }
    if (entry === undefined) buf.clients.set(key, { client, tier, records: [record] });
    else entry.records.push(record);
    buf.count++;
  }

  flush(pod: number, nowMs: number): Report[] {
    const buf = this.pod(pod);
    const start = buf.windowStartMs ?? nowMs;
    buf.windowStartMs = nowMs;
    if (buf.count === 0 && buf.dropped === 0) return [];
    const report: Report = {
      version: 1,
      policy: this.setup.policy,
      source: `pod-${pod}`,
      windowStartMs: Math.min(start, nowMs),
      windowEndMs: nowMs,
      dropped: buf.dropped,
      clients: [...buf.clients.values()],
    };
    buf.clients.clear();
    buf.count = 0;
    buf.dropped = 0;
    return [report];
  }

  private pod(pod: number): PodBuffer {
    const buf = this.pods[pod];
    if (buf === undefined) throw new RangeError(`pod ${pod} is not in 0..${this.pods.length - 1}`);
    return buf;
  }

  /** A per-pod token bucket per client, like the filter's tier quota. */
  private admit(buf: PodBuffer, client: string, tier: string, nowMs: number): boolean {
    const perMinute = this.setup.requestsPerMinute[tier];
    if (perMinute === undefined) return true;
    const bucket = buf.buckets.get(client) ?? { tokens: perMinute, updatedMs: nowMs };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((nowMs - bucket.updatedMs) * perMinute) / 60_000);
    bucket.updatedMs = nowMs;
    buf.buckets.set(client, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
