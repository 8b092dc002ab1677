import { parseArgs } from "node:util";
import { formatDiagnostic } from "./diagnostic-text.js";
import { sortInputs } from "./inputs.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, type Io } from "./io.js";
import { describe, loadManifests } from "./manifests.js";
import { resolvePolicy } from "../translate/resolve.js";

export const VALIDATE_USAGE = `Usage: modelguard validate -f <file> [-f <file>...]

Checks every ModelEndpointPolicy in the files against the schema and the cross-field rules the
apiserver enforces, and Secrets it references when they are in the files too. Prints one line
per problem with its field path and exits 1 if there is any.`;

export function runValidate(argv: string[], io: Io): number {
  const { values } = parseArgs({
    args: argv,
    options: { file: { type: "string", short: "f", multiple: true }, namespace: { type: "string", short: "n", default: "default" } },
    strict: true,
    allowPositionals: false,
  });
  const files = values.file ?? [];
  if (files.length === 0) throw new UsageError("validate needs at least one -f <file>");
  const inputs = sortInputs(loadManifests(files, io.readStdin), values.namespace);
  if (inputs.policies.length === 0) {
    io.err("error: no ModelEndpointPolicy found in the input files\n");
    return EXIT_PROBLEMS;
  }
  const { secrets, deployments } = inputs;
  let problems = 0;
  for (const m of inputs.policies) {
    // Secrets that are not in the files are checked by the operator in the cluster, not here.
    const diags = resolvePolicy(m.object, deployments, secrets, { requireSecrets: false }).diagnostics;
    const errors = diags.filter((d) => d.severity === "error");
    for (const d of diags) io.out(`${describe(m)}: ${d.severity === "warning" ? "warning: " : ""}${formatDiagnostic(d)}\n`);
    problems += errors.length;
    if (errors.length === 0) io.err(`${describe(m)}: valid\n`);
  }
  if (problems > 0) {
    io.err(`${problems} problem${problems === 1 ? "" : "s"} found\n`);
    return EXIT_PROBLEMS;
  }
  return EXIT_OK;
}
