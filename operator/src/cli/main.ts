#!/usr/bin/env node
// The `modelguard` command: thin dispatch over render and validate; all logic lives in translate/.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EXIT_PROBLEMS, EXIT_USAGE, UsageError, type Io } from "./io.js";
import { ManifestError } from "./manifests.js";
import { OPERATOR_USAGE, runOperator } from "./operator.js";
import { RENDER_USAGE, runRender } from "./render.js";
import { SIMULATE_USAGE, runSimulate } from "./simulate.js";
import { VALIDATE_USAGE, runValidate } from "./validate.js";

const USAGE = `modelguard: zero-trust protection for ML inference endpoints on Istio/Envoy

Usage: modelguard <command> [options]

Commands:
  render     print the Istio and rate-limit objects (or, --target envoy, an Envoy config) for policy files (offline)
  validate   check policy files and name every offending field (offline)
  simulate   run the compiled filter on recorded requests and print each decision (offline)
  operator   run the controller (in-cluster config or --kubeconfig)

Run 'modelguard <command> --help' for a command's options.`;

const COMMANDS: Record<string, { run: (argv: string[], io: Io) => number; usage: string }> = {
  render: { run: runRender, usage: RENDER_USAGE },
  validate: { run: runValidate, usage: VALIDATE_USAGE },
  simulate: { run: runSimulate, usage: SIMULATE_USAGE },
  operator: { run: runOperator, usage: OPERATOR_USAGE },
};

export function main(argv: string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(`${USAGE}\n`);
    return command === undefined ? EXIT_USAGE : 0;
  }
  const cmd = COMMANDS[command];
  if (!cmd) {
    io.err(`error: unknown command ${JSON.stringify(command)}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      io.err(`error: ${err.message}\n\n${cmd.usage}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof ManifestError) {
      io.err(`error: ${err.message}\n`);
      return EXIT_PROBLEMS;
    }
    throw err;
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  const io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };
  process.exitCode = main(process.argv.slice(2), io);
}
