import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { anchorsOf, code, headingAnchor, prose, table } from "./api-docs-markdown.js";

describe("code", () => {
  it("escapes pipes, which would end a table cell even inside a code span", () => assert.equal(code("a||b"), "`a\\|\\|b`"));
  it("fences text holding backticks with a longer run", () => assert.equal(code("x`y"), "``x`y``"));
  it("pads text that starts or ends with a backtick", () => assert.equal(code("`x"), "`` `x ``"));
  it("keeps a cell on one line", () => assert.equal(code("a\n  b"), "`a b`"));
});

describe("prose", () => {
  it("keeps code spans and escapes what would break a table or open a tag outside them", () => {
    assert.equal(prose("Use `a|b` or <name> | *x* and_y"), "Use `a\\|b` or &lt;name> \\| \\*x\\* and\\_y");
  });
  it("treats an unbalanced backtick as text", () => assert.equal(prose("it`s"), "it\\`s"));
  it("joins lines", () => assert.equal(prose("one\n  two"), "one two"));
});

describe("table", () => {
  it("writes a header, a delimiter row and the rows", () => {
    assert.equal(table(["a", "b"], [["1", "2"]]), "| a | b |\n| --- | --- |\n| 1 | 2 |");
  });
});

describe("headingAnchor and anchorsOf", () => {
  it("lowercases, drops punctuation and turns spaces into hyphens like GitHub", () => {
    assert.equal(headingAnchor("How JWT trust and mTLS work"), "how-jwt-trust-and-mtls-work");
    assert.equal(headingAnchor("ModelEndpointPolicy.spec.tiers[]"), "modelendpointpolicyspectiers");
    assert.equal(headingAnchor("Threats it addresses: OWASP API Security Top 10 (2023)"), "threats-it-addresses-owasp-api-security-top-10-2023");
    assert.equal(headingAnchor("snake_case stays"), "snake_case-stays");
  });

  it("reads headings as rendered text, numbers repeats and skips fenced code", () => {
    const md = ["# Title", "## `Kind.spec` \\*", "```sh", "# not a heading", "```", "### Spec", "### Spec", "#### [Link](x.md) text"].join("\n");
    assert.deepEqual(anchorsOf(md), ["title", "kindspec-", "spec", "spec-1", "link-text"]);
  });
});
