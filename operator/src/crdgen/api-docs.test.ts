import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DENY_REASON_CODES, DENY_REASONS } from "../api/reasons.js";
import { API_DOCS_OUTPUT, crdsAmong, renderApiDocs, type Crd } from "./api-docs.js";
import type { SchemaNode } from "./api-docs-fields.js";
import { generatedFiles } from "./main.js";

const generated = () => {
  const files = generatedFiles();
  const docs = files.find(([rel]) => rel === API_DOCS_OUTPUT);
  assert.ok(docs, `npm run generate does not write ${API_DOCS_OUTPUT}`);
  return { files, docs: docs[1] };
};

/** Cells of a table row, split at unescaped pipes as GFM does. */
const cells = (row: string) =>
  row
    .replace(/^\|\s?/, "")
    .replace(/\s?\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());

/** Every property path of a schema, written as the reference writes them. Independent of the generator's walk. */
function propertyPaths(node: SchemaNode, path: string, out: string[] = []): string[] {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const p = path === "" ? name : `${path}.${name}`;
    out.push(p);
    propertyPaths(child, p, out);
  }
  if (node.items) propertyPaths(node.items, `${path}[]`, out);
  if (typeof node.additionalProperties === "object") propertyPaths(node.additionalProperties, `${path}{}`, out);
  return out;
}

/** A small CRD exercising what the real ones do not: maps, wide columns, several versions. */
function sampleCrd(schema: SchemaNode, versions = ["v1"]): Crd {
  return {
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.dev" },
    spec: {
      group: "example.dev",
      names: { kind: "Widget", plural: "widgets", singular: "widget", shortNames: ["wd"] },
      scope: "Cluster",
      versions: versions.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        additionalPrinterColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size", priority: 1 }],
        schema: { openAPIV3Schema: { type: "object", properties: { spec: schema } } },
      })),
    },
  };
}

describe("docs/api.md", () => {
  // generated-files.test.ts checks that the committed file equals the generated text.
  it("documents every field of every CRD that npm run generate writes", () => {
    const { files, docs } = generated();
    const crds = crdsAmong(files);
    assert.ok(crds.length >= 2, "expected the ModelEndpointPolicy and ClientRestriction CRDs");
    for (const crd of crds) {
      const kind = crd.spec.names.kind;
      assert.match(docs, new RegExp(`^## ${kind}$`, "m"), `no section for ${kind}`);
      const section = docs.slice(docs.indexOf(`## ${kind}\n`)).split(/^## /m)[1] ?? "";
      for (const v of crd.spec.versions) {
        for (const path of propertyPaths(v.schema.openAPIV3Schema, "").filter((p) => /^(spec|status)\./.test(p))) {
          assert.ok(section.includes(`| \`${path}\` |`), `${kind}: no row for ${path}`);
        }
      }
    }
  });

  it("lists every deny reason code with its HTTP status", () => {
    const rows = new Map(
      generated()
        .docs.split("\n")
        .filter((l) => l.startsWith("| `"))
        .map((l) => cells(l))
        .map((c) => [c[0] ?? "", c[1] ?? ""]),
    );
    for (const code of DENY_REASON_CODES) assert.equal(rows.get(`\`${code}\``), String(DENY_REASONS[code]), code);
  });

  it("has as many cells in every table row as in the table's header", () => {
    let width = 0;
    for (const line of generated().docs.split("\n")) {
      if (!line.startsWith("|")) {
        width = 0;
        continue;
      }
      const n = cells(line).length;
      if (width === 0) width = n;
      else assert.equal(n, width, `row has ${n} cells, header ${width}: ${line}`);
    }
  });
});

describe("renderApiDocs", () => {
  const widget = sampleCrd({
    type: "object",
    required: ["size"],
    properties: {
      size: { description: "How big.", type: "integer", format: "int32", minimum: 0, exclusiveMinimum: true, maximum: 10 },
      mode: { description: "A | B, never <C>.", type: "string", enum: ["A", "B"], default: "A" },
      note: { type: "string", default: "", pattern: "^(a|b)$", maxLength: 8 },
      labels: { type: "object", additionalProperties: { type: "string", maxLength: 63 }, maxProperties: 4 },
      parts: {
        type: "array",
        maxItems: 3,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["id"],
        items: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
      },
    },
    "x-kubernetes-validations": [{ rule: "self.size > 1 || self.mode == 'A'", message: "size 1 needs mode A", fieldPath: ".size" }],
  });

  it("renders types, bounds, defaults and escaped descriptions per field", () => {
    const doc = renderApiDocs([widget]);
    const row = (path: string) => doc.split("\n").find((l) => l.startsWith(`| \`${path}\` |`));
    assert.equal(row("spec.size"), "| `spec.size` | integer (int32) | yes |  | > 0; ≤ 10 | How big. |");
    assert.equal(row("spec.mode"), "| `spec.mode` | string, one of `A`, `B` | no | `A` |  | A \\| B, never &lt;C>. |");
    assert.equal(row("spec.note"), '| `spec.note` | string matching `^(a\\|b)$` | no | `""` | length ≤ 8 |  |');
    assert.equal(row("spec.labels"), "| `spec.labels` | map of string | no |  | ≤ 4 entries; each length ≤ 63 |  |");
    assert.equal(row("spec.parts"), "| `spec.parts` | list of [object](#widgetspecparts) | no |  | ≤ 3 items; unique `id` |  |");
    assert.equal(row("spec.parts[].id"), "| `spec.parts[].id` | string | yes |  |  |  |");
    assert.match(doc, /^#### `Widget\.spec\.parts\[\]`$/m);
  });

  it("renders printer columns, the missing status and CEL rules with where they report", () => {
    const doc = renderApiDocs([widget]);
    assert.match(doc, /^What `kubectl get wd` shows; `-o wide` adds the columns marked \(wide\)\.$/m);
    assert.match(doc, /^\| Size \(wide\) \| integer \| `\.spec\.size` \| {2}\|$/m);
    assert.match(doc, /^Widget has no status\.$/m);
    assert.match(doc, /^\| `Widget\.spec` \| `self\.size > 1 \\\|\\\| self\.mode == 'A'` \| size 1 needs mode A \| `spec\.size` \|$/m);
  });

  it("names each version's tables when a CRD serves several", () => {
    const doc = renderApiDocs([sampleCrd({ type: "object", properties: { a: { type: "string" } } }, ["v2", "v1"])]);
    assert.match(doc, /^- versions: `v2` \(storage\), `v1`$/m);
    assert.match(doc, /^#### `Widget\/v2\.spec`$/m);
    assert.match(doc, /^#### `Widget\/v1\.spec`$/m);
    assert.match(doc, /^### Spec \(v1\)$/m);
  });

  it("refuses two object paths that GitHub would give the same anchor", () => {
    const collide = sampleCrd({
      type: "object",
      properties: {
        a: { type: "object", properties: { bc: { type: "object", properties: { x: { type: "string" } } } } },
        ab: { type: "object", properties: { c: { type: "object", properties: { y: { type: "string" } } } } },
      },
    });
    assert.throws(() => renderApiDocs([collide]), /share the anchor #widgetspecabc/);
  });

  it("takes each CRD once from the generated files and ignores everything else", () => {
    const yaml = "# header\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.dev\n";
    const crds = crdsAmong([
      ["crds/w.yaml", yaml],
      ["charts/x/crds/w.yaml", yaml],
      ["wasm-filter/assembly/filter/reasons.ts", "export enum Reason {}"],
      ["other.yaml", "kind: ConfigMap\n"],
    ]);
    assert.deepEqual(
      crds.map((c) => c.metadata.name),
      ["widgets.example.dev"],
    );
  });
});
