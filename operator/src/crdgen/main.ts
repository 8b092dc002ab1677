// `npm run generate`: writes the CRD YAML, docs/api.md and the filter's reason codes from the zod
// schemas. Importing this module only lists the files (tests compare them with the committed ones).
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { API_DOCS_OUTPUT, crdsAmong, renderApiDocs } from "./api-docs.js";
import { CRD_OUTPUTS, renderPolicyCrdYaml, renderRestrictionCrdYaml, RESTRICTION_CRD_OUTPUTS } from "./render-crd.js";
import { REASONS_OUTPUT, renderReasonsAssemblyScript } from "./render-reasons.js";

/** Every generated file as [path from the repository root, content]. */
export function generatedFiles(): [string, string][] {
  const outputs: [string, string][] = [
    ...CRD_OUTPUTS.map((rel): [string, string] => [rel, renderPolicyCrdYaml()]),
    ...RESTRICTION_CRD_OUTPUTS.map((rel): [string, string] => [rel, renderRestrictionCrdYaml()]),
    [REASONS_OUTPUT, renderReasonsAssemblyScript()],
  ];
  // The reference documents every CRD listed above, so a new CRD needs no change here.
  return [...outputs, [API_DOCS_OUTPUT, renderApiDocs(crdsAmong(outputs))]];
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  for (const [rel, text] of generatedFiles()) {
    const file = resolve(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${rel}`);
  }
}
