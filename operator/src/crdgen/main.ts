// `npm run generate`: writes the CRD YAML (and other generated files) from the zod schemas.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CRD_OUTPUTS, renderPolicyCrdYaml } from "./render-crd.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const yaml = renderPolicyCrdYaml();
for (const rel of CRD_OUTPUTS) {
  const file = resolve(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, yaml);
  console.log(`wrote ${rel}`);
}
