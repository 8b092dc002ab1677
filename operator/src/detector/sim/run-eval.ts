/**
 * Runs the extraction evaluation: the simulated clients send requests through a pipeline (which
 * turns them into sidecar reports), the detector ingests every pod's reports and evaluates every
 * tick, and each client's findings are compared with what it really is.
 */
import { ExtractionDetector } from "../detector.js";
import { SEVERITIES, type Severity } from "../evidence.js";
import type { Finding } from "../finding.js";
import { ATTACK_TYPES, type AttackType } from "./attackers.js";
import { BENIGN_PERSONAS, type BenignPersona } from "./benign-personas.js";
import { EVAL_TARGETS, simulationSetup, type EvalOptions } from "./eval-options.js";
import { summarize, type EvalResult } from "./eval-result.js";
import type { Pipeline } from "./pipeline.js";
import { population } from "./population.js";
import { Traffic } from "./traffic.js";

export interface ClientOutcome {
  client: string;
  kind: AttackType | BenignPersona;
  attacker: boolean;
  /** Queries the client sent in the whole run. */
  queries: number;
  /** Queries it had sent when its first finding came out. */
  queriesAtDetection?: number;
  /** The detector's own count in that finding (what it had processed). */
  detectorQueries?: number;
  detectedAfterMs?: number;
  firstSeverity?: Severity;
  maxSeverity?: Severity;
  reason?: string;
}

/** Measures elapsed milliseconds; injected, since the detector code reads no clock. */
export type Stopwatch = () => number;

export function runEval(options: EvalOptions, pipeline: Pipeline, stopwatch?: Stopwatch): EvalResult {
  const { model } = simulationSetup(options);
  const traffic = new Traffic(options, population(options, model), pipeline);
  const detector = new ExtractionDetector({ seed: options.seed, ...options.detector });
  const outcomes = new Map<string, ClientOutcome>(
    traffic.agents.map((a) => [a.client, { client: a.client, kind: a.kind as AttackType | BenignPersona, attacker: a.attacker, queries: 0 }]),
  );
  const onFinding = (f: Finding, atMs: number) => {
    const o = outcomes.get(f.client);
    if (o === undefined) return;
    if (o.firstSeverity === undefined) {
      o.firstSeverity = f.severity;
      o.queriesAtDetection = traffic.sent.get(f.client) ?? 0;
      o.detectorQueries = f.queries;
      o.detectedAfterMs = atMs - (traffic.firstRequestMs.get(f.client) ?? atMs);
      o.reason = f.reason;
    }
    if (o.maxSeverity === undefined || SEVERITIES.indexOf(f.severity) > SEVERITIES.indexOf(o.maxSeverity)) o.maxSeverity = f.severity;
  };

  let reports = 0;
  let detectorMs = 0;
  for (const tick of traffic.ticks()) {
    reports += tick.reports.length;
    const started = stopwatch?.() ?? 0;
    for (const r of tick.reports) detector.ingest(r, tick.atMs);
    const findings = detector.evaluate(tick.atMs);
    detectorMs += (stopwatch?.() ?? 0) - started;
    for (const f of findings) onFinding(f, tick.atMs);
  }
  for (const o of outcomes.values()) o.queries = traffic.sent.get(o.client) ?? 0;

  return summarize([...outcomes.values()], { reports, detectorMs: stopwatch ? detectorMs : undefined, stats: detector.stats() }, EVAL_TARGETS, ATTACK_TYPES, BENIGN_PERSONAS);
}
