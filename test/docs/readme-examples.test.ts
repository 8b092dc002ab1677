// The objects the README shows a reader how to write must pass the same schema and cross-field
// rules as `modelguard validate` and the apiserver apply.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { RESTRICTION_KIND, restrictionSpecSchema } from "../../operator/src/api/client-restriction.js";
import { KIND } from "../../operator/src/api/constants.js";
import { policySchema } from "../../operator/src/api/policy.js";

const README = resolve(dirname(fileURLToPath(import.meta.url)), "../../README.md");

/** Contents of the README's ```yaml blocks that are Kubernetes objects (they have a kind). */
function yamlObjects(markdown: string): { kind: string; spec?: unknown }[] {
  const blocks = [...markdown.matchAll(/^([ \t]*)```yaml\n([\s\S]*?)^\1```$/gm)].map((m) => m[2] ?? "");
  return blocks.map((b) => parse(b) as { kind?: unknown; spec?: unknown }).filter((o): o is { kind: string; spec?: unknown } => typeof o.kind === "string");
}

describe("README.md examples", () => {
  const objects = yamlObjects(readFileSync(README, "utf8"));

  it("shows a policy and a ClientRestriction", () => {
    assert.deepEqual(objects.map((o) => o.kind).sort(), [RESTRICTION_KIND, KIND]);
  });

  for (const [i, o] of objects.entries()) {
    it(`${o.kind} (example ${i + 1}) is valid`, () => {
      const result = o.kind === KIND ? policySchema.safeParse(o) : o.kind === RESTRICTION_KIND ? restrictionSpecSchema.safeParse(o.spec) : undefined;
      assert.ok(result, `no schema for kind ${o.kind}`);
      assert.deepEqual(result.success ? [] : result.error.issues.map((e) => `${e.path.join(".")}: ${e.message}`), []);
    });
  }
});
