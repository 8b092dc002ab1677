import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { buildPolicyCrd } from "./crd.js";
import { CRD_OUTPUTS, renderPolicyCrdYaml } from "./render-crd.js";
import { REASONS_OUTPUT, renderReasonsAssemblyScript } from "./render-reasons.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** Visits every schema node with its path. */
function walk(node: Node, path: string, visit: (n: Node, p: string) => void) {
  visit(node, path);
  if (isNode(node.properties)) for (const [k, v] of Object.entries(node.properties)) if (isNode(v)) walk(v, `${path}.${k}`, visit);
  if (isNode(node.items)) walk(node.items, `${path}[]`, visit);
  if (isNode(node.additionalProperties)) walk(node.additionalProperties, `${path}{}`, visit);
}

const schema = () => {
  const crd = buildPolicyCrd() as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
  const v = crd.spec.versions[0];
  assert.ok(v);
  return v.schema.openAPIV3Schema;
};

describe("generated CRD", () => {
  for (const rel of CRD_OUTPUTS) {
    it(`${rel} is up to date (run \`npm run generate\` after changing operator/src/api)`, () => {
      assert.equal(readFileSync(resolve(ROOT, rel), "utf8"), renderPolicyCrdYaml());
    });
  }

  it(`${REASONS_OUTPUT} is up to date (run \`npm run generate\`)`, () => {
    assert.equal(readFileSync(resolve(ROOT, REASONS_OUTPUT), "utf8"), renderReasonsAssemblyScript());
  });

  it("is byte-stable", () => assert.equal(renderPolicyCrdYaml(), renderPolicyCrdYaml()));

  it("is a structural schema: every node typed, no unions, no additionalProperties: false", () => {
    walk(schema(), "", (n, p) => {
      if (p !== ".metadata") assert.ok(typeof n.type === "string", `${p || "<root>"} has no type`);
      for (const k of ["anyOf", "oneOf", "allOf", "not", "$ref", "$schema", "nullable"]) assert.ok(!(k in n), `${p} has ${k}`);
      assert.notEqual(n.additionalProperties, false, `${p} has additionalProperties: false`);
      if (n.additionalProperties !== undefined) assert.ok(!("properties" in n), `${p} has both properties and additionalProperties`);
    });
  });

  it("bounds every list and string that a CEL rule or a map key touches", () => {
    walk(schema(), "", (n, p) => {
      if (n.type === "array") assert.ok(typeof n.maxItems === "number", `${p} array has no maxItems`);
      if (n.type === "string" && n.enum === undefined && p.startsWith(".spec")) {
        assert.ok(typeof n.maxLength === "number", `${p} string has no maxLength`);
      }
    });
  });

  it("describes every spec field for kubectl explain", () => {
    walk(schema(), "", (n, p) => {
      const isItem = p.endsWith("[]") || p.endsWith("{}");
      if (p.startsWith(".spec") && !isItem) assert.ok(typeof n.description === "string" && n.description.length > 0, `${p} has no description`);
    });
  });

  it("has the names, printer columns and status subresource the API promises", () => {
    const crd = parse(renderPolicyCrdYaml().replace(/^#.*\n/, "")) as {
      spec: { names: { shortNames: string[]; kind: string }; scope: string; versions: { name: string; subresources: Node; additionalPrinterColumns: { name: string }[] }[] };
    };
    assert.deepEqual(crd.spec.names.shortNames, ["mep"]);
    assert.equal(crd.spec.scope, "Namespaced");
    const v = crd.spec.versions[0];
    assert.ok(v);
    assert.equal(v.name, "v1alpha1");
    assert.deepEqual(v.subresources, { status: {} });
    assert.deepEqual(v.additionalPrinterColumns.map((c) => c.name), ["Accepted", "Programmed", "Targets", "Age"]);
  });

  it("carries the cross-field rules as CEL", () => {
    const rules: string[] = [];
    walk(schema(), "", (n) => {
      const v = n["x-kubernetes-validations"];
      if (Array.isArray(v)) for (const r of v) if (isNode(r) && typeof r.rule === "string") rules.push(r.rule);
    });
    assert.ok(rules.some((r) => r.includes("has(self.jwksUri) != has(self.jwks)")));
    assert.ok(rules.some((r) => r.includes("self.tiers.exists(x, x.name == t)")));
    assert.ok(rules.some((r) => r.includes("self.metadata.name.size() <= 63")));
  });
});
