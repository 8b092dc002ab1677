import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { formatDiagnostic } from "./diagnostic-text.js";
import { sortInputs, type TranslatorInputs } from "./inputs.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, type Io } from "./io.js";
import { describe, loadManifests } from "./manifests.js";
import { formatObjects, type OutputFormat } from "./output.js";
import { bundledWasmPath, resolveWasmModule } from "./wasm-module.js";
import { parseHostPort } from "../translate/envoy/clusters.js";
import { translateEnvoy } from "../translate/envoy/translate-envoy.js";
import { translate } from "../translate/translate.js";

export const RENDER_USAGE = `Usage: modelguard render -f <file> [-f <file>...] [-o yaml|json] [--namespace <ns>]
                         [--wasm-url <url>] [--wasm-sha256 <hex>]
       modelguard render --target envoy -f <file> [-o yaml|json] [--listener-port <n>]
                         [--listener-address <ip>] [--upstream <host:port>] [--wasm-file <path>]
                         [--admin-port <n>] [--ratelimit-service <host:port>]

--target istio (default) prints the Istio and rate-limit objects that enforce each
ModelEndpointPolicy in the files, for the Deployments (annotated modelguard.dev/policy) and
Secrets in the same files.

--target envoy prints a complete Envoy bootstrap for one policy, for Envoy without Istio:
listener (default 0.0.0.0:10000) → jwt_authn → RBAC → the ModelGuard filter (--wasm-file,
default the built module) → local and global rate limits → router → the model (--upstream,
default 127.0.0.1:8000). Admin on 127.0.0.1 (--admin-port, default 9901) serves
/stats/prometheus. The ratelimit service defaults to spec.rateLimit.global.service. Without
Istio there is no mutual TLS, so spec.callers is not enforced (a warning says so).

Offline; the same input gives byte-identical output.`;

const ENVOY_ONLY = ["listener-port", "listener-address", "upstream", "admin-port", "ratelimit-service"] as const;
const ISTIO_ONLY = ["wasm-url", "wasm-sha256"] as const;

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
      target: { type: "string", short: "t", default: "istio" },
      "listener-port": { type: "string" },
      "listener-address": { type: "string" },
      upstream: { type: "string" },
      "admin-port": { type: "string" },
      "ratelimit-service": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const files = values.file ?? [];
  if (files.length === 0) throw new UsageError("render needs at least one -f <file>");
  const format = values.output;
  if (format !== "yaml" && format !== "json") throw new UsageError(`-o must be yaml or json, not ${JSON.stringify(format)}`);
  const target = values.target;
  if (target !== "istio" && target !== "envoy") throw new UsageError(`--target must be istio or envoy, not ${JSON.stringify(target)}`);
  for (const flag of target === "envoy" ? ISTIO_ONLY : ENVOY_ONLY) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to --target ${target}`);
  }
  const sha = values["wasm-sha256"];
  if (sha !== undefined && !/^[0-9a-f]{64}$/.test(sha)) throw new UsageError("--wasm-sha256 must be 64 lowercase hex digits");

  const inputs = sortInputs(loadManifests(files, io.readStdin), values.namespace);
  if (inputs.policies.length === 0) {
    io.err("error: no ModelEndpointPolicy found in the input files\n");
    return EXIT_PROBLEMS;
  }
  if (target === "envoy") return renderEnvoy(inputs, values, format, io);
  const wasm = resolveWasmModule({
    ...(values["wasm-url"] !== undefined ? { url: values["wasm-url"] } : {}),
    ...(sha !== undefined ? { sha256: sha } : {}),
    ...(values["wasm-file"] !== undefined ? { wasmFile: values["wasm-file"] } : {}),
  });
  if (wasm.warning) io.err(`warning: ${wasm.warning}\n`);
  const { deployments, secrets } = inputs;

  const objects: unknown[] = [];
  let failed = false;
  for (const m of inputs.policies) {
    const t = translate({ policy: m.object, deployments, secrets, wasm: wasm.ref });
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

interface EnvoyFlags {
  namespace: string;
  "wasm-file"?: string;
  "listener-port"?: string;
  "listener-address"?: string;
  upstream?: string;
  "admin-port"?: string;
  "ratelimit-service"?: string;
}

function portFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n < 1 || n > 65535) throw new UsageError(`--${flag} must be a port from 1 to 65535`);
  return n;
}

function hostPortFlag(value: string, flag: string) {
  const hp = parseHostPort(value);
  if (!hp) throw new UsageError(`--${flag} must be host:port (an IPv4 address or a DNS name), not ${JSON.stringify(value)}`);
  return hp;
}

/** --target envoy: one policy → one Envoy bootstrap. */
function renderEnvoy(inputs: TranslatorInputs, flags: EnvoyFlags, format: OutputFormat, io: Io): number {
  const listenerPort = portFlag(flags["listener-port"], "listener-port", 10000);
  const adminPort = portFlag(flags["admin-port"], "admin-port", 9901);
  const upstream = hostPortFlag(flags.upstream ?? "127.0.0.1:8000", "upstream");
  const rateLimitService = flags["ratelimit-service"] !== undefined ? hostPortFlag(flags["ratelimit-service"], "ratelimit-service") : undefined;
  const listenerAddress = flags["listener-address"] ?? "0.0.0.0";
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(listenerAddress)) throw new UsageError("--listener-address must be an IPv4 address");
  const [m, ...more] = inputs.policies;
  if (!m) return EXIT_PROBLEMS;
  if (more.length > 0) {
    io.err(`error: --target envoy renders one policy per Envoy, and the input holds ${inputs.policies.length}: pass one policy\n`);
    return EXIT_PROBLEMS;
  }
  // Envoy reads the module from this path; make it absolute so the config works from any directory.
  const wasmFile = resolve(flags["wasm-file"] ?? bundledWasmPath());
  if (!existsSync(wasmFile)) io.err(`warning: filter module ${wasmFile} not found (run \`npm run build:wasm\`)\n`);
  const t = translateEnvoy({
    policy: m.object,
    secrets: inputs.secrets,
    options: {
      listenerAddress,
      listenerPort,
      upstream,
      wasmFile,
      admin: { address: "127.0.0.1", port: adminPort },
      ...(rateLimitService ? { rateLimitService } : {}),
    },
  });
  for (const d of t.diagnostics) io.err(`${d.severity}: ${describe(m)}: ${formatDiagnostic(d)}\n`);
  if (!t.accepted || !t.bootstrap) return EXIT_PROBLEMS;
  io.out(format === "json" ? `${JSON.stringify(t.bootstrap, null, 2)}\n` : stringify(t.bootstrap, { lineWidth: 0, aliasDuplicateObjects: false }));
  return EXIT_OK;
}
