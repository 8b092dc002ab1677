import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ProxyWasmHost } from "../../../wasm-filter/host/host.js";
import { simulateOne, type SimRequest } from "../../../wasm-filter/host/simulation.js";
import { translate } from "../translate/translate.js";
import { formatDiagnostic } from "./diagnostic-text.js";
import { sortInputs } from "./inputs.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, type Io } from "./io.js";
import { describe, loadManifests, ManifestError } from "./manifests.js";
import { bundledWasmPath } from "./wasm-module.js";

export const SIMULATE_USAGE = `Usage: modelguard simulate --policy <file.yaml> --requests <file.jsonl> [--wasm-file <module.wasm>] [--workers N]

Runs the real compiled filter, configured from the policy exactly as the operator would, on each
request line and prints one JSON decision per line:
  in:  {"id", "method", "path", "headers": {...}, "body" | "bodyBase64", "claims": {...}, "source", "delayMs", "response"}
  out: {"id", "action": "allow"|"deny", "status", "reason", "headers": {...}}
"claims" are delivered the way Envoy's jwt_authn delivers verified claims. Requests share one clock,
and quotas count across them. --workers spreads requests over N VMs sharing data, like Envoy workers.`;

export function runSimulate(argv: string[], io: Io): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      policy: { type: "string", short: "p" },
      requests: { type: "string", short: "r" },
      "wasm-file": { type: "string" },
      workers: { type: "string", default: "1" },
      namespace: { type: "string", short: "n", default: "default" },
      body: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.policy === undefined || values.requests === undefined) throw new UsageError("simulate needs --policy and --requests");
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError("--workers must be an integer from 1 to 64");

  const inputs = sortInputs(loadManifests([values.policy], io.readStdin), values.namespace);
  const [policyDoc, ...more] = inputs.policies;
  if (!policyDoc) {
    io.err("error: no ModelEndpointPolicy found in the policy file\n");
    return EXIT_PROBLEMS;
  }
  if (more.length > 0) io.err(`warning: ${values.policy} holds ${inputs.policies.length} policies; simulating the first\n`);
  // Secrets that are not in the file do not fail the simulation: their keys are simply unknown.
  const t = translate({
    policy: policyDoc.object,
    deployments: [],
    secrets: inputs.secrets,
    // Only WasmPlugins carry the module reference, and simulate renders none.
    wasm: { url: "file:///simulate" },
  });
  const errors = t.diagnostics.filter((d) => d.severity === "error");
  if (!t.filterConfig || errors.length > 0) {
    for (const d of errors) io.err(`error: ${describe(policyDoc)}: ${formatDiagnostic(d)}\n`);
    return EXIT_PROBLEMS;
  }
  const requests = readRequests(values.requests, io);
  const host = ProxyWasmHost.fromFile(values["wasm-file"] ?? bundledWasmPath());
  const config = JSON.stringify(t.filterConfig);
  const vms = Array.from({ length: workers }, () => host.createConfiguredVm(config, { vmId: "modelguard", onLog: () => undefined }));
  requests.forEach((req, i) => {
    const vm = vms[i % vms.length];
    if (!vm) return;
    const decision = simulateOne(host, vm, req, i);
    if (!values.body) delete decision.body;
    io.out(`${JSON.stringify(decision)}\n`);
  });
  return EXIT_OK;
}

function readRequests(file: string, io: Io): SimRequest[] {
  const text = file === "-" ? (io.readStdin?.() ?? readFileSync(0, "utf8")) : readFileSync(file, "utf8");
  const out: SimRequest[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new ManifestError(`${file}:${i + 1}: not a JSON object`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v) || typeof (v as { path?: unknown }).path !== "string") {
      throw new ManifestError(`${file}:${i + 1}: a request needs at least a "path"`);
    }
    out.push(v as SimRequest);
  });
  return out;
}
