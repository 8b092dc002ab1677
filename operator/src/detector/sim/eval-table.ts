/** The evaluation result as the text `npm run eval:extraction` prints. */
import { SEVERITIES } from "../evidence.js";
import { EVAL_TARGETS } from "./eval-options.js";
import { pct, type EvalResult } from "./eval-result.js";

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const num = (v: number) => (Number.isNaN(v) ? "-" : String(Math.round(v)));

export function formatEvalResult(r: EvalResult): string {
  const out: string[] = [];
  out.push("Attackers (queries = requests the attacker had sent when its first finding came out)");
  out.push(
    table(
      ["type", "instances", "detected", "rate", "queries median", "queries max", "severity reached"],
      r.attackTypes.map((t) => [
        t.type,
        String(t.instances),
        String(t.detected),
        pct(t.detectionRate),
        num(t.medianQueries),
        num(t.maxQueries),
        SEVERITIES.filter((s) => t.severities[s] > 0)
          .map((s) => `${s} ${t.severities[s]}`)
          .join(", ") || "-",
      ]),
    ),
  );
  out.push("");
  out.push(`Benign clients flagged: ${r.benign.flagged} / ${r.benign.clients} (false-positive rate ${pct(r.benign.falsePositiveRate)})`);
  out.push(
    table(
      ["persona", "clients", "flagged", "queries median", "queries max"],
      r.benign.personas.map((p) => [p.persona, String(p.clients), String(p.flagged), num(p.medianQueries), num(p.maxQueries)]),
    ),
  );
  for (const o of r.outcomes.filter((x) => !x.attacker && x.firstSeverity !== undefined)) {
    out.push(`  flagged ${o.client} (${o.kind}, ${o.queries} queries): ${o.reason ?? ""}`);
  }
  out.push("");
  const s = r.detector;
  const speed = r.detectorMs !== undefined && r.detectorMs > 0 ? `, ${Math.round(s.recordsProcessed / (r.detectorMs / 1000)).toLocaleString("en-US")} records/s (${r.detectorMs.toFixed(0)} ms in ingest+evaluate)` : "";
  out.push(`Records: ${r.records} sent, ${s.recordsIngested} reported in ${r.reports} reports, ${s.recordsProcessed} processed, ${s.droppedBySources} dropped by sidecars, ${s.lateRecords} late${speed}`);
  out.push(`Detector state: ${s.models} model(s), ${s.clients} clients, ~${(s.approxBytes / 1048576).toFixed(1)} MiB`);
  out.push("");
  out.push(
    r.targetsMet
      ? `Targets met: every attacker detected within ${EVAL_TARGETS.maxQueriesToDetection} queries, false positives ≤ ${pct(EVAL_TARGETS.maxFalsePositiveRate)}.`
      : `Targets missed:\n${r.misses.map((m) => `  - ${m}`).join("\n")}`,
  );
  return out.join("\n");
}
