import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { childName } from "./names.js";

describe("childName", () => {
  it("joins parts under the mg- prefix when short enough", () => {
    assert.equal(childName("llm", "server", "authz"), "mg-llm-server-authz");
  });

  it("keeps every name within 63 characters, as a valid DNS label, deterministically", () => {
    for (let n = 1; n <= 130; n += 7) {
      const name = childName("p".repeat(n), "d-".repeat(n).replace(/-$/, ""), "filter");
      assert.ok(name.length <= 63, `${name} (${name.length})`);
      assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      assert.equal(childName("p".repeat(n), "d-".repeat(n).replace(/-$/, ""), "filter"), name);
    }
  });

  it("gives different long names different results", () => {
    const a = childName("x".repeat(40), "model-a", "filter");
    const b = childName("x".repeat(40), "model-b", "filter");
    assert.notEqual(a, b);
  });
});
