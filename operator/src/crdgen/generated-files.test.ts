import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "./main.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

describe("npm run generate", () => {
  // Every file it writes, including those without a test of their own (a new CRD, for one).
  for (const [rel, text] of generatedFiles()) {
    it(`${rel} is up to date (run \`npm run generate\`)`, () => {
      assert.ok(existsSync(resolve(ROOT, rel)), `${rel} is missing`);
      assert.equal(readFileSync(resolve(ROOT, rel), "utf8"), text);
    });
  }

  it("writes each file once", () => {
    const paths = generatedFiles().map(([rel]) => rel);
    assert.deepEqual(paths, [...new Set(paths)]);
  });
});
