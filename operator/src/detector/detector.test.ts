import assert from "node:assert/strict";
import { test } from "node:test";
import { ExtractionDetector } from "./detector.js";
import type { Finding } from "./finding.js";
import type { DetectorOptions } from "./options.js";
import { Prng } from "./prng.js";
import type { Report } from "./report.js";
import { QUICK_EVAL, simulationSetup, type EvalOptions } from "./sim/eval-options.js";
import { population } from "./sim/population.js";
import { ReferencePipeline } from "./sim/reference-pipeline.js";
import { Traffic, type Tick } from "./sim/traffic.js";

/** 75 minutes of a small deployment: 60 benign clients and one attacker of each type. */
const SMALL: EvalOptions = { ...QUICK_EVAL, seed: 5, durationMs: 75 * 60_000, benignClients: 60, attackersPerType: 1, maxAttackQueries: 400 };

function recordTicks(o: EvalOptions): { ticks: Tick[]; attackers: Set<string> } {
  const { model, setup } = simulationSetup(o);
  const agents = population(o, model);
  const ticks = [...new Traffic(o, agents, new ReferencePipeline(setup)).ticks()];
  return { ticks, attackers: new Set(agents.filter((a) => a.attacker).map((a) => a.client)) };
}

const recorded = recordTicks(SMALL);

/** Feeds ticks to a detector, optionally re-arranging deliveries; returns every finding. */
function replay(ticks: Tick[], deliver: (tick: Tick, i: number) => { atMs: number; reports: Report[] }[] = (t) => [t], opts: Partial<DetectorOptions> = {}) {
  const detector = new ExtractionDetector({ seed: 1, ...opts });
  const schedule = new Map<number, Report[]>();
  ticks.forEach((t, i) => {
    for (const d of deliver(t, i)) schedule.set(d.atMs, [...(schedule.get(d.atMs) ?? []), ...d.reports]);
  });
  const findings: Finding[] = [];
  for (const t of ticks) {
    for (const r of schedule.get(t.atMs) ?? []) detector.ingest(r, t.atMs);
    findings.push(...detector.evaluate(t.atMs));
  }
  return { findings, stats: detector.stats() };
}

const flagged = (findings: Finding[]) => {
  const worst = new Map<string, string>();
  const rank = ["alert", "throttle", "block"];
  for (const f of findings) if (rank.indexOf(f.severity) > rank.indexOf(worst.get(f.client) ?? "")) worst.set(f.client, f.severity);
  return [...worst].sort();
};

const baseline = replay(recorded.ticks);

test("the scenario flags its attackers and nobody else", () => {
  const who = flagged(baseline.findings).map(([c]) => c);
  assert.equal(who.length, recorded.attackers.size, `${who.length} clients flagged`);
  for (const c of who) assert.ok(recorded.attackers.has(c), `${c} is benign`);
});

test("the same reports give the same findings", () => {
  assert.deepEqual(replay(recorded.ticks), baseline);
});

test("each client's severity is reported once per level, rising", () => {
  const byClient = new Map<string, string[]>();
  for (const f of baseline.findings) byClient.set(f.client, [...(byClient.get(f.client) ?? []), f.severity]);
  for (const [client, levels] of byClient) {
    assert.deepEqual(levels, [...new Set(levels)], `${client}: ${levels.join(", ")}`);
    const rank = levels.map((l) => ["alert", "throttle", "block"].indexOf(l));
    assert.deepEqual(rank, [...rank].sort(), `${client} rises`);
  }
  for (const f of baseline.findings) {
    assert.ok(f.queries > 0 && f.reason.startsWith(f.severity), f.reason);
    assert.ok(Object.values(f.signals).every(Number.isFinite));
  }
});

test("reports arriving in any order within a tick give the same findings", () => {
  const rng = new Prng(9);
  const shuffled = replay(recorded.ticks, (t) => [{ atMs: t.atMs, reports: [...t.reports].sort(() => rng.next() - 0.5) }]);
  assert.deepEqual(shuffled, baseline);
});

test("a pod whose reports arrive a tick late holds records back instead of scrambling them", () => {
  const late = replay(recorded.ticks, (t) => {
    const slow = t.reports.filter((r) => r.source === "pod-1");
    return [
      { atMs: t.atMs, reports: t.reports.filter((r) => r.source !== "pod-1") },
      { atMs: t.atMs + SMALL.tickMs, reports: slow },
    ];
  });
  assert.equal(late.stats.lateRecords, 0);
  assert.deepEqual(flagged(late.findings), flagged(baseline.findings));
});

test("records later than the lateness bound are still processed, and counted as late", () => {
  const late = replay(recorded.ticks, (t, i) => (i % 10 === 3 ? [{ atMs: t.atMs + 8 * SMALL.tickMs, reports: t.reports }] : [t]), { maxLatenessMs: 4_000 });
  assert.ok(late.stats.lateRecords > 0);
  assert.equal(late.stats.recordsProcessed + late.stats.pendingRecords, late.stats.recordsIngested);
});

test("a report delivered twice is counted once", () => {
  const twice = replay(recorded.ticks, (t) => [{ atMs: t.atMs, reports: [...t.reports, ...t.reports] }]);
  assert.ok(twice.stats.duplicateReports > 0);
  assert.deepEqual(twice.findings, baseline.findings);
  assert.equal(twice.stats.recordsIngested, baseline.stats.recordsIngested);
});

test("memory stays bounded: clients per model, clients overall, models and waiting records", () => {
  const perModel = replay(recorded.ticks, undefined, { maxClientsPerModel: 20 });
  assert.ok(perModel.stats.clients <= 20 && perModel.stats.evictedClients > 0);

  const renamed = (r: Report, i: number): Report => ({ ...r, clients: r.clients.map((c) => ({ ...c, records: c.records.map((x) => ({ ...x, model: `m${i % 5}` })) })) });
  const models = replay(recorded.ticks, (t, i) => [{ atMs: t.atMs, reports: t.reports.map((r) => renamed(r, i)) }], { maxModels: 2, maxClients: 30 });
  assert.ok(models.stats.models <= 2 && models.stats.evictedModels > 0);
  assert.ok(models.stats.clients <= 30);

  // A pod that reports once and then goes silent holds records back only up to the cap.
  const detector = new ExtractionDetector({ maxPendingRecords: 100, sourceTimeoutMs: 3_600_000, maxLatenessMs: 3_600_000 });
  const [first, ...rest] = recorded.ticks;
  for (const r of first?.reports ?? []) detector.ingest(r, first?.atMs ?? 0);
  for (const t of rest.slice(0, 200)) {
    for (const r of t.reports.filter((x) => x.source !== (first?.reports[0]?.source ?? ""))) detector.ingest(r, t.atMs);
    detector.evaluate(t.atMs);
    assert.ok(detector.stats().pendingRecords <= 100);
  }
});

test("cold start: without enough clients nothing is scored, and with a young baseline only alerts", () => {
  const few = replay(recorded.ticks, undefined, { baselineMinClients: 1000 });
  assert.deepEqual(few.findings, []);
  const young = replay(recorded.ticks, undefined, { baselineFullClients: 1000 });
  assert.ok(young.findings.length > 0);
  assert.ok(young.findings.every((f) => f.severity === "alert"));
});
