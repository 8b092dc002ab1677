// `npm run eval:extraction`: the model-extraction evaluation. Simulates benign clients and
// extraction attackers against a model served by several pods, sends every pod's reports to the
// detector, and prints per attacker type the detection rate and queries until detection, and the
// false-positive rate over benign clients. Exits 1 when a target is missed, 2 on bad usage.
//
//   npm run eval:extraction -- [--pipeline reference|wasm] [--quick] [--seed N] [--json]
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { FULL_EVAL, QUICK_EVAL, simulationSetup, type EvalOptions } from "../operator/src/detector/sim/eval-options.js";
import { formatEvalResult } from "../operator/src/detector/sim/eval-table.js";
import type { Pipeline } from "../operator/src/detector/sim/pipeline.js";
import { ReferencePipeline } from "../operator/src/detector/sim/reference-pipeline.js";
import { runEval } from "../operator/src/detector/sim/run-eval.js";

function usage(message: string): never {
  console.error(`eval-extraction: ${message}\nusage: eval-extraction [--pipeline reference|wasm] [--quick] [--seed N] [--json]`);
  process.exit(2);
}

let flags;
try {
  flags = parseArgs({
    options: {
      pipeline: { type: "string", default: "wasm" },
      quick: { type: "boolean", default: false },
      seed: { type: "string" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  usage(err instanceof Error ? err.message : String(err));
}

const options: EvalOptions = { ...(flags.quick ? QUICK_EVAL : FULL_EVAL) };
if (flags.seed !== undefined) {
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) usage("--seed must be an integer in 0..4294967295");
  options.seed = seed;
}

/** The wasm pipeline is loaded only when asked for: it needs the built filter module. */
async function wasmPipeline(o: EvalOptions): Promise<Pipeline> {
  try {
    const { createWasmPipeline } = await import("../wasm-filter/host/report-pipeline.js");
    return createWasmPipeline(simulationSetup(o).setup);
  } catch (err) {
    console.error(`eval-extraction: the wasm pipeline could not be loaded (build the filter with \`npm run build:wasm\`): ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

let pipeline: Pipeline;
if (flags.pipeline === "reference") pipeline = new ReferencePipeline(simulationSetup(options).setup);
else if (flags.pipeline === "wasm") pipeline = await wasmPipeline(options);
else usage(`unknown pipeline ${JSON.stringify(flags.pipeline)}`);

const started = performance.now();
const result = runEval(options, pipeline, () => performance.now());
const seconds = (performance.now() - started) / 1000;

if (flags.json) {
  console.log(JSON.stringify({ pipeline: flags.pipeline, options, ...result }, null, 2));
} else {
  const hours = options.durationMs / 3_600_000;
  console.log(
    `ModelGuard extraction evaluation: ${flags.pipeline} pipeline, seed ${options.seed}, ${hours} virtual hours, ${options.pods} pods, ` +
      `${options.benignClients} benign clients, ${options.attackersPerType} attackers per type (${seconds.toFixed(1)} s)\n`,
  );
  console.log(formatEvalResult(result));
}
process.exit(result.targetsMet ? 0 : 1);
