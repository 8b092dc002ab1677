/** The evaluation's numbers: per attacker type, over benign clients, and whether the targets hold. */
import type { DetectorStats } from "../detector.js";
import { SEVERITIES, type Severity } from "../evidence.js";
import type { AttackType } from "./attackers.js";
import type { BenignPersona } from "./benign-personas.js";
import type { EVAL_TARGETS } from "./eval-options.js";
import type { ClientOutcome } from "./run-eval.js";

export interface AttackTypeSummary {
  type: AttackType;
  instances: number;
  detected: number;
  detectionRate: number;
  /** Queries each attacker had sent when first flagged: median and max over detected instances. */
  medianQueries: number;
  maxQueries: number;
  /** Highest severity each instance reached, counted. */
  severities: Record<Severity, number>;
}

export interface PersonaSummary {
  persona: BenignPersona;
  clients: number;
  flagged: number;
  medianQueries: number;
  maxQueries: number;
}

export interface EvalResult {
  attackTypes: AttackTypeSummary[];
  benign: { clients: number; flagged: number; falsePositiveRate: number; personas: PersonaSummary[] };
  outcomes: ClientOutcome[];
  records: number;
  reports: number;
  /** Time spent in ingest and evaluate, when a stopwatch was given. */
  detectorMs: number | undefined;
  detector: DetectorStats;
  targetsMet: boolean;
  misses: string[];
}

export function summarize(
  outcomes: ClientOutcome[],
  run: { reports: number; detectorMs: number | undefined; stats: DetectorStats },
  targets: typeof EVAL_TARGETS,
  attackTypes: readonly AttackType[],
  personas: readonly BenignPersona[],
): EvalResult {
  const misses: string[] = [];
  const summaries = attackTypes.map((type): AttackTypeSummary => {
    const of = outcomes.filter((o) => o.attacker && o.kind === type);
    const detected = of.filter((o) => o.queriesAtDetection !== undefined);
    const queries = detected.map((o) => o.queriesAtDetection as number);
    const severities = Object.fromEntries(SEVERITIES.map((s) => [s, of.filter((o) => o.maxSeverity === s).length])) as Record<Severity, number>;
    for (const o of of) {
      if (o.queriesAtDetection === undefined) misses.push(`${type} ${o.client}: not detected after ${o.queries} queries`);
      else if (o.queriesAtDetection > targets.maxQueriesToDetection) misses.push(`${type} ${o.client}: detected after ${o.queriesAtDetection} queries (> ${targets.maxQueriesToDetection})`);
    }
    if (of.length === 0) misses.push(`${type}: no instances simulated`);
    return {
      type,
      instances: of.length,
      detected: detected.length,
      detectionRate: of.length > 0 ? detected.length / of.length : 0,
      medianQueries: median(queries),
      maxQueries: queries.length > 0 ? Math.max(...queries) : NaN,
      severities,
    };
  });

  const benign = outcomes.filter((o) => !o.attacker);
  const flagged = benign.filter((o) => o.firstSeverity !== undefined);
  const falsePositiveRate = benign.length > 0 ? flagged.length / benign.length : 0;
  if (falsePositiveRate > targets.maxFalsePositiveRate) {
    misses.push(`benign: ${flagged.length} of ${benign.length} flagged (${pct(falsePositiveRate)} > ${pct(targets.maxFalsePositiveRate)})`);
  }
  const personaSummaries = personas.map((persona): PersonaSummary => {
    const of = benign.filter((o) => o.kind === persona);
    const q = of.map((o) => o.queries);
    return { persona, clients: of.length, flagged: of.filter((o) => o.firstSeverity !== undefined).length, medianQueries: median(q), maxQueries: q.length > 0 ? Math.max(...q) : 0 };
  });

  return {
    attackTypes: summaries,
    benign: { clients: benign.length, flagged: flagged.length, falsePositiveRate, personas: personaSummaries },
    outcomes,
    records: outcomes.reduce((n, o) => n + o.queries, 0),
    reports: run.reports,
    detectorMs: run.detectorMs,
    detector: run.stats,
    targetsMet: misses.length === 0,
    misses,
  };
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function pct(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}
