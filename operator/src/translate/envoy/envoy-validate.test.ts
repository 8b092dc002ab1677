// Every example's standalone Envoy configuration, and every accepted golden case, passes
// `envoy --mode validate`: Envoy parses it strictly (unknown fields, wrong types), builds every
// listener, cluster and filter factory, and checks the wasm module's code. It does not run
// proxy_on_configure; the filter config is checked by filterConfigSchema in translate() and by
// the real Envoy in test/demo.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { validateEnvoyConfig } from "../../../../test/harness/envoy/validate.js";
import { bundledWasmPath } from "../../cli/wasm-module.js";
import { goldenCases } from "../../testdata/golden.js";
import { envoyInputFrom } from "./golden-input.js";
import { translateEnvoy } from "./translate-envoy.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const GOLDENS = join(ROOT, "operator/src/testdata/translate-envoy");
const WASM = bundledWasmPath();

const examples = readdirSync(join(ROOT, "examples"))
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => ({ name: `examples/${f}`, text: readFileSync(join(ROOT, "examples", f), "utf8") }));
const goldens = goldenCases(GOLDENS).map((c) => ({ name: `golden ${c.name}`, text: c.input }));

describe("envoy --mode validate accepts the standalone Envoy configuration", () => {
  it("has the compiled filter to load", () => assert.ok(existsSync(WASM), `${WASM} is missing: run npm run build:wasm`));
  for (const c of [...examples, ...goldens]) {
    const t = translateEnvoy(envoyInputFrom(c.text, c.name, WASM));
    if (!t.accepted) continue;
    it(c.name, async () => {
      assert.ok(t.bootstrap);
      const result = await validateEnvoyConfig(t.bootstrap);
      assert.ok(result.ok, result.output);
      assert.match(result.output, /configuration '.*' OK/);
      assert.doesNotMatch(result.output, /Deprecated field/, "uses a field Envoy is about to remove");
    });
  }
});
