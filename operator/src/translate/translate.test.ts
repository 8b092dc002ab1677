import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { parseManifests } from "../cli/manifests.js";
import { sortInputs } from "../cli/inputs.js";
import { expectGolden, goldenCases } from "../testdata/golden.js";
import { translate } from "./translate.js";
import type { TranslateInput } from "./inputs.js";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "../testdata/translate");
const WASM = { url: "http://modelguard.modelguard-system.svc.cluster.local:8080/wasm/test.wasm", sha256: "a".repeat(64) };

function inputFrom(text: string, source: string): TranslateInput {
  const inputs = sortInputs(parseManifests(text, source));
  const [policy] = inputs.policies;
  assert.ok(policy, `${source}: needs one ModelEndpointPolicy`);
  return { policy: policy.object, deployments: inputs.deployments, secrets: inputs.secrets, wasm: WASM };
}

const render = (input: TranslateInput) => {
  const t = translate(input);
  return stringify(
    { accepted: t.accepted, targets: t.targets, diagnostics: t.diagnostics, objects: t.objects },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
};

describe("translate goldens", () => {
  for (const c of goldenCases(DIR)) {
    it(c.name, () => {
      const actual = render(inputFrom(c.input, c.name));
      assert.equal(actual, expectGolden(c.outputPath, actual));
    });
  }
});

describe("translate determinism", () => {
  for (const c of goldenCases(DIR)) {
    it(`${c.name}: same output for the same input, whatever the input order`, () => {
      const input = inputFrom(c.input, c.name);
      const first = render(input);
      assert.equal(render(inputFrom(c.input, c.name)), first);
      const shuffled = { ...input, deployments: [...input.deployments].reverse(), secrets: [...input.secrets].reverse() };
      assert.equal(render(shuffled), first);
    });
  }
});
