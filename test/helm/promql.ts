// Prometheus's own PromQL parser and engine (test/helm/promql-eval, a small Go program on the
// github.com/prometheus/prometheus module), built on first use into
// $CACHE/promql-eval-<hash of its sources>/ and reused while the sources are unchanged.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "../harness/cached-tools.js";

const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), "promql-eval");
const SOURCES = ["main.go", "go.mod", "go.sum"];

export interface NameMatcher {
  /** "=", "!=", "=~" or "!~". */
  type: string;
  value: string;
  /** The candidate names this matcher accepts (Prometheus's matcher semantics: anchored RE2). */
  matches: string[];
}

export interface Inspection {
  expr: string;
  /** The parser's message when the expression is not valid PromQL. */
  error?: string;
  /** Every vector selector in the expression, with its __name__ matchers. */
  selectors: { text: string; nameMatchers: NameMatcher[] }[];
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface EvalResult {
  expr: string;
  at: string;
  error?: string;
  samples: Sample[];
}

export interface PromqlRequest {
  exprs?: string[];
  /** Candidate metric names the selectors' __name__ matchers are tried against. */
  names?: string[];
  /** Series in promqltest's `load` syntax, e.g. "load 1m\n  up{job=\"a\"} 1x30". */
  series?: string;
  /** Instant queries; `at` is a duration since the start of the loaded series. */
  evals?: { expr: string; at: string }[];
  /** Step of subqueries without one (Prometheus's evaluation_interval); default 1m. */
  evaluationInterval?: string;
}

export interface PromqlResponse {
  inspections: Inspection[];
  evals: EvalResult[];
}

function sourceHash(): string {
  const h = createHash("sha256");
  for (const f of SOURCES) h.update(f).update("\0").update(readFileSync(join(SOURCE_DIR, f))).update("\0");
  return h.digest("hex").slice(0, 16);
}

let binary: string | undefined;

/** Path of the built promql-eval binary, building it (about a minute the first time) if needed. */
export function promqlEvalBinary(): string {
  if (binary !== undefined) return binary;
  const dir = join(cacheDir(), `promql-eval-${sourceHash()}`);
  const bin = join(dir, "promql-eval");
  if (!existsSync(bin)) {
    mkdirSync(cacheDir(), { recursive: true });
    // Build beside and rename into place, so a concurrent test process never runs half a file.
    const work = mkdtempSync(join(cacheDir(), ".promql-eval-"));
    try {
      const res = spawnSync("go", ["build", "-trimpath", "-buildvcs=false", "-o", join(work, "promql-eval"), "."], {
        cwd: SOURCE_DIR,
        encoding: "utf8",
        timeout: 600_000,
      });
      if (res.error) throw new Error(`cannot run go to build ${SOURCE_DIR} (go must be on PATH): ${res.error.message}`);
      if (res.status !== 0) throw new Error(`go build in ${SOURCE_DIR} failed:\n${res.stderr}`);
      mkdirSync(dir, { recursive: true });
      renameSync(join(work, "promql-eval"), bin);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  binary = bin;
  return bin;
}

/** Parses and/or evaluates PromQL with Prometheus's own code; throws only if the tool fails. */
export function promql(req: PromqlRequest): PromqlResponse {
  const res = spawnSync(promqlEvalBinary(), [], { input: JSON.stringify(req), encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`promql-eval exited ${String(res.status)}: ${res.stderr}`);
  return JSON.parse(res.stdout) as PromqlResponse;
}
