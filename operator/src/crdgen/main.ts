// `npm run generate`: writes the CRD YAML (and other generated files) from the zod schemas.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CRD_OUTPUTS, renderPolicyCrdYaml, renderRestrictionCrdYaml, RESTRICTION_CRD_OUTPUTS } from "./render-crd.js";
import { REASONS_OUTPUT, renderReasonsAssemblyScript } from "./render-reasons.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const outputs: [string, string][] = [
  ...CRD_OUTPUTS.map((rel): [string, string] => [rel, renderPolicyCrdYaml()]),
  ...RESTRICTION_CRD_OUTPUTS.map((rel): [string, string] => [rel, renderRestrictionCrdYaml()]),
  [REASONS_OUTPUT, renderReasonsAssemblyScript()],
];
for (const [rel, text] of outputs) {
  const file = resolve(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${rel}`);
}
