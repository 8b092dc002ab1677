// `tsx test/e2e-kind/make-policy.ts --out DIR`: fresh signing keys and the end-to-end policy with
// their JWKS inline (istiod then needs no network to fetch keys). Writes DIR/policy.yaml and
// DIR/keys.json (the private keys, for the in-mesh traffic runner). Used by run.sh apply-policy.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { makeKeys } from "../envoy/cases.js";
import { keysToJson } from "./keys-file.js";
import { e2ePolicy } from "./policy.js";

const { values } = parseArgs({ options: { out: { type: "string" } }, strict: true });
if (values.out === undefined) {
  process.stderr.write("usage: tsx test/e2e-kind/make-policy.ts --out <dir>\n");
  process.exit(2);
}
const keys = await makeKeys();
writeFileSync(join(values.out, "policy.yaml"), stringify(e2ePolicy(keys.jwks)));
writeFileSync(join(values.out, "keys.json"), await keysToJson(keys), { mode: 0o600 });
process.stdout.write(`wrote ${join(values.out, "policy.yaml")} and ${join(values.out, "keys.json")}\n`);
