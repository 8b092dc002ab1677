import { parseArgs } from "node:util";
import { formatDiagnostic } from "./diagnostic-text.js";
import { sortInputs, withDefaultNamespace } from "./inputs.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, type Io } from "./io.js";
import { describe, loadManifests } from "./manifests.js";
import { formatObjects } from "./output.js";
import { resolveWasmModule } from "./wasm-module.js";
import { translate } from "../translate/translate.js";

export const RENDER_USAGE = `Usage: modelguard render -f <file> [-f <file>...] [-o yaml|json] [--namespace <ns>]
                         [--wasm-url <url>] [--wasm-sha256 <hex>]

Prints the Istio and rate-limit objects that enforce each ModelEndpointPolicy in the files,
for the Deployments (annotated modelguard.dev/policy) and Secrets in the same files. Offline.`;

export function runRender(argv: string[], io: Io): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: "string", short: "f", multiple: true },
      output: { type: "string", short: "o", default: "yaml" },
      namespace: { type: "string", short: "n", default: "default" },
      "wasm-url": { type: "string" },
      "wasm-sha256": { type: "string" },
      "wasm-file": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const files = values.file ?? [];
  if (files.length === 0) throw new UsageError("render needs at least one -f <file>");
  const format = values.output;
  if (format !== "yaml" && format !== "json") throw new UsageError(`-o must be yaml or json, not ${JSON.stringify(format)}`);
  const sha = values["wasm-sha256"];
  if (sha !== undefined && !/^[0-9a-f]{64}$/.test(sha)) throw new UsageError("--wasm-sha256 must be 64 lowercase hex digits");

  const inputs = sortInputs(loadManifests(files, io.readStdin));
  const ns = values.namespace;
  if (inputs.policies.length === 0) {
    io.err("error: no ModelEndpointPolicy found in the input files\n");
    return EXIT_PROBLEMS;
  }
  const wasm = resolveWasmModule({
    ...(values["wasm-url"] !== undefined ? { url: values["wasm-url"] } : {}),
    ...(sha !== undefined ? { sha256: sha } : {}),
    ...(values["wasm-file"] !== undefined ? { wasmFile: values["wasm-file"] } : {}),
  });
  if (wasm.warning) io.err(`warning: ${wasm.warning}\n`);
  const deployments = inputs.deployments.map((d) => withDefaultNamespace(d, ns));
  const secrets = inputs.secrets.map((s) => withDefaultNamespace(s, ns));

  const objects: unknown[] = [];
  let failed = false;
  for (const m of inputs.policies) {
    const policy = withDefaultNamespace(m.object as { metadata: { namespace?: string } }, ns);
    const t = translate({ policy, deployments, secrets, wasm: wasm.ref });
    for (const d of t.diagnostics) io.err(`${d.severity}: ${describe(m)}: ${formatDiagnostic(d)}\n`);
    if (!t.accepted) {
      failed = true;
      continue;
    }
    if (t.targets.length === 0) io.err(`warning: ${describe(m)}: no Deployment in the input is annotated modelguard.dev/policy for it\n`);
    objects.push(...t.objects);
  }
  if (failed) return EXIT_PROBLEMS;
  io.out(formatObjects(objects, format));
  return EXIT_OK;
}
