// The in-mesh traffic runner (entry point of the e2e-client image):
//   node traffic.js --as caller|stranger --keys <file|-> [--base-url URL] [--ready-timeout S]
// Runs the checks of mesh-checks.ts with node:test and exits non-zero when one fails. --as names
// which client this pod is: `caller` (the policy allows its ServiceAccount) or `stranger` (it
// does not). --keys - reads the signing keys from stdin (run.sh pipes them in with kubectl exec -i).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { keysFromJson } from "./keys-file.js";
import { allowedCallerChecks, strangerChecks } from "./mesh-checks.js";
import type { MeshTarget } from "./mesh-checks.js";
import { MODEL_URL } from "./names.js";

const USAGE = "usage: traffic.js --as caller|stranger --keys <file|-> [--base-url URL] [--ready-timeout SECONDS]";

const { values } = parseArgs({
  options: {
    as: { type: "string" },
    keys: { type: "string" },
    "base-url": { type: "string", default: MODEL_URL },
    "ready-timeout": { type: "string", default: "180" },
  },
  strict: true,
});
const readySeconds = Number(values["ready-timeout"]);
if ((values.as !== "caller" && values.as !== "stranger") || values.keys === undefined || !(readySeconds > 0)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const target: MeshTarget = {
  baseUrl: values["base-url"].replace(/\/$/, ""),
  keys: await keysFromJson(readFileSync(values.keys === "-" ? 0 : values.keys, "utf8")),
  readyTimeoutMs: readySeconds * 1000,
};
if (values.as === "caller") allowedCallerChecks(target);
else strangerChecks(target);
