/**
 * The extraction detector: takes reports from every sidecar, keeps per (policy, model) a
 * reference sample of normal inputs and a robust baseline of per-client features, and turns each
 * client's deviation from that baseline into evidence and a severity. Pure: no I/O, no clock; time
 * comes in as arguments, so the same inputs give the same findings.
 */
import { ClientWindow, type Placement } from "./client-window.js";
import { severityOf, type Level } from "./evidence.js";
import { clientFeatures } from "./features.js";
import { findingReason, findingSignals, type Finding } from "./finding.js";
import { PolicyIntake, type PendingRecord } from "./intake.js";
import { MIN_REFERENCE_OWNERS, ModelState, newClientState, type ClientState } from "./model-state.js";
import { resolveOptions, type DetectorOptions } from "./options.js";
import type { Report } from "./report.js";
import { standardizedScore } from "./score.js";
import { SKETCH_DIM } from "./sketch.js";
import { MAX_COORDINATE } from "./vectors.js";

export interface DetectorStats {
  /** Clients tracked over all models. */
  clients: number;
  /** (policy, model) pairs tracked. */
  models: number;
  /** Records waiting to be put in order. */
  pendingRecords: number;
  recordsIngested: number;
  recordsProcessed: number;
  /** Records that arrived after their time had been processed (handled in arrival order). */
  lateRecords: number;
  duplicateReports: number;
  /** Records the sidecars dropped because their buffers were full (from the reports). */
  droppedBySources: number;
  evictedClients: number;
  evictedModels: number;
  /** Rough memory held by client windows and reference samples. */
  approxBytes: number;
}

export class ExtractionDetector {
  private readonly o: DetectorOptions;
  private readonly intakes = new Map<string, PolicyIntake>();
  private readonly models = new Map<string, ModelState>();
  /** Every tracked client, least recently seen first (for the global cap). */
  private readonly recent = new Map<ClientState, ModelState>();
  private readonly minReferenceInputs: number;
  /** Scratch: the whitened sketch of the record being processed. */
  private readonly input = new Float32Array(SKETCH_DIM);
  private readonly placement: Placement = { offManifold: NaN, revisitRadius: NaN, spacing: NaN };
  private readonly counts = { ingested: 0, processed: 0, late: 0, duplicates: 0, dropped: 0, evictedClients: 0, evictedModels: 0 };

  constructor(opts?: Partial<DetectorOptions>) {
    this.o = resolveOptions(opts);
    // A quarter full (from at least MIN_REFERENCE_OWNERS clients) is enough to tell near from far.
    this.minReferenceInputs = Math.ceil(this.o.referenceSize / 4);
  }

  /** Queues a report's records; they are processed, in time order, by `evaluate`. */
  ingest(report: Report, receivedAtMs: number): void {
    let intake = this.intakes.get(report.policy);
    if (intake === undefined) {
      intake = new PolicyIntake();
      this.intakes.set(report.policy, intake);
    }
    const late = intake.add(report, receivedAtMs);
    if (late < 0) {
      this.counts.duplicates++;
      return;
    }
    this.counts.late += late;
    this.counts.dropped += report.dropped;
    for (const c of report.clients) this.counts.ingested += c.records.length;
    const excess = this.pendingRecords() - this.o.maxPendingRecords;
    if (excess > 0) for (const p of intake.releaseOldest(excess)) this.process(report.policy, p);
  }

  /** Processes the records whose turn has come and returns the clients whose severity rose. */
  evaluate(nowMs: number): Finding[] {
    for (const [policy, intake] of this.intakes) {
      for (const p of intake.release(nowMs, this.o.maxLatenessMs, this.o.sourceTimeoutMs)) this.process(policy, p);
    }
    const findings: Finding[] = [];
    for (const m of this.models.values()) {
      if (nowMs >= m.baselineDueMs) {
        this.refreshBaseline(m);
        m.baselineDueMs = nowMs + this.o.baselineIntervalMs;
      }
      for (const c of m.active) {
        const f = this.score(m, c);
        if (f !== undefined) findings.push(f);
      }
      m.active.clear();
    }
    return findings;
  }

  stats(): DetectorStats {
    let clients = 0;
    for (const m of this.models.values()) clients += m.clients.size;
    const windowBytes = ClientWindow.bytes(this.o.historySize);
    const referenceBytes = this.o.referenceSize * (4 * SKETCH_DIM + 4);
    const pending = this.pendingRecords();
    return {
      clients,
      models: this.models.size,
      pendingRecords: pending,
      recordsIngested: this.counts.ingested,
      recordsProcessed: this.counts.processed,
      lateRecords: this.counts.late,
      duplicateReports: this.counts.duplicates,
      droppedBySources: this.counts.dropped,
      evictedClients: this.counts.evictedClients,
      evictedModels: this.counts.evictedModels,
      approxBytes: clients * windowBytes + this.models.size * referenceBytes + pending * 256,
    };
  }

  private pendingRecords(): number {
    let n = 0;
    for (const intake of this.intakes.values()) n += intake.pendingCount;
    return n;
  }

  private process(policy: string, p: PendingRecord): void {
    this.counts.processed++;
    const m = this.modelFor(policy, p.record.model);
    const c = this.clientFor(m, p.client);
    c.tier = p.tier;
    const { reference, whitening } = m;
    if (!whitening.ready && reference.usable(this.minReferenceInputs, MIN_REFERENCE_OWNERS)) this.rewhiten(m);
    const scale = whitening.ready ? reference.scale(this.minReferenceInputs, MIN_REFERENCE_OWNERS) : undefined;
    // Until the reference is usable anyone may seed it (nobody can be vetted without it); after
    // that only clients scored as normal feed it.
    const admit = scale !== undefined ? c.vetted : !c.evidence.suspect;
    const { status, reason, x } = p.record;
    if (x !== undefined) whitening.apply(x, this.input, 0, MAX_COORDINATE);
    const placement = this.placement;
    c.window.add(p.t, status >= 400, reason !== "", x !== undefined ? this.input : undefined, 0, (stored) => {
      const storage = c.window.storage;
      if (scale === undefined) {
        placement.offManifold = placement.revisitRadius = placement.spacing = NaN;
      } else {
        const near = reference.neighbours(storage, stored, c.owner);
        placement.offManifold = Number.isNaN(near.kth) ? NaN : near.kth > scale.offManifold ? 1 : 0;
        // Revisits are judged against how densely real users' inputs lie at that spot, so a client
        // working in a dense region is not mistaken for one probing a single spot.
        placement.revisitRadius = this.o.revisitRadius * Math.min(near.nearest, scale.spacing);
        placement.spacing = scale.spacing;
      }
      if (admit) reference.offer(storage, stored, c.owner);
      return placement;
    });
    c.unscored++;
    m.active.add(c);
  }

  /** Re-estimates the model's whitening from its reference sample and re-projects what is stored. */
  private rewhiten(m: ModelState): void {
    m.whitenedAtTurnover = m.reference.turnover;
    const change = m.whitening.update(m.reference.covariance());
    if (change === undefined) return;
    m.reference.transform(change);
    for (const c of m.clients.values()) c.window.transform(change);
  }

  private modelFor(policy: string, model: string): ModelState {
    const key = `${policy}\u0000${model}`;
    let m = this.models.get(key);
    if (m !== undefined) {
      this.models.delete(key);
    } else {
      m = new ModelState(policy, model, this.o);
      if (this.models.size >= this.o.maxModels) {
        const [oldestKey, oldest] = this.models.entries().next().value as [string, ModelState];
        this.models.delete(oldestKey);
        for (const c of oldest.clients.values()) this.recent.delete(c);
        this.counts.evictedModels++;
      }
    }
    this.models.set(key, m);
    return m;
  }

  /** The client's state, created if new; the least recently seen client is forgotten beyond the caps. */
  private clientFor(m: ModelState, client: string): ClientState {
    let c = m.clients.get(client);
    if (c !== undefined) {
      m.clients.delete(client);
      this.recent.delete(c);
    } else {
      c = newClientState(m.nextOwner++, client, this.o);
      if (m.clients.size >= this.o.maxClientsPerModel) this.forget(m.clients.values().next().value as ClientState, m);
      if (this.recent.size >= this.o.maxClients) {
        const [oldest, itsModel] = this.recent.entries().next().value as [ClientState, ModelState];
        this.forget(oldest, itsModel);
      }
    }
    m.clients.set(client, c);
    this.recent.set(c, m);
    return c;
  }

  private forget(c: ClientState, m: ModelState): void {
    m.clients.delete(c.client);
    m.active.delete(c);
    m.reference.purge(c.owner);
    this.recent.delete(c);
    this.counts.evictedClients++;
  }

  /** Re-estimates the baseline from every established client in good standing. */
  private refreshBaseline(m: ModelState): void {
    if (m.whitening.ready && m.reference.turnover - m.whitenedAtTurnover >= this.o.referenceSize) this.rewhiten(m);
    if (!m.whitening.ready || !m.reference.usable(this.minReferenceInputs, MIN_REFERENCE_OWNERS)) return;
    const vectors: Float64Array[] = [];
    for (const c of m.clients.values()) {
      if (c.evidence.suspect || c.window.inputs < this.o.minQueries) continue;
      vectors.push(clientFeatures(c.window, this.o).values);
    }
    m.baseline.update(vectors, this.o.baselineMinClients);
  }

  private score(m: ModelState, c: ClientState): Finding | undefined {
    if (!m.baseline.ready || c.window.inputs < this.o.minQueries) return undefined;
    const features = clientFeatures(c.window, this.o);
    const { z, score } = standardizedScore(m.baseline, features.values);
    const queries = Math.min(c.unscored, this.o.historySize);
    c.unscored = 0;
    const maxLevel: Level = m.baseline.clients >= this.o.baselineFullClients ? 3 : 1;
    const rose = c.evidence.observe(score, queries, maxLevel);
    c.vetted = c.evidence.value === 0 && score < this.o.allowance;
    if (c.evidence.suspect) m.reference.purge(c.owner);
    if (rose === undefined) return undefined;
    const severity = severityOf(rose);
    if (severity === undefined) return undefined;
    const queriesSeen = c.window.records;
    return {
      policy: m.policy,
      model: m.model,
      client: c.client,
      severity,
      score: Math.round(score * 1000) / 1000,
      queries: queriesSeen,
      signals: findingSignals(features.raw, z, { evidence: c.evidence.value, inputs: features.inputs, exactRepeats: features.exactRepeats, baselineClients: m.baseline.clients }),
      reason: findingReason(severity, queriesSeen, features.raw, z, c.evidence.value),
    };
  }
}
