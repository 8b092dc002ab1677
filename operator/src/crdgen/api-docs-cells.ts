// Table cells of the API reference for one schema node: its type, its bounds and its default.
import type { SchemaNode } from "./api-docs-fields.js";
import { code } from "./api-docs-markdown.js";

/** Markdown for a reference to the table of the object at `path`. */
export type ObjectLink = (path: string) => string;

const literal = (v: unknown) => (typeof v === "string" ? (v === "" ? '""' : v) : JSON.stringify(v));

/** The type, with format, enum values and pattern; objects link to their own table. */
export function typeCell(s: SchemaNode, path: string, link: ObjectLink): string {
  if (s.type === "array") return `list of ${s.items ? typeCell(s.items, `${path}[]`, link) : "any"}`;
  if (s.type === "object" || s.properties) {
    if (s.properties) return link(path);
    if (typeof s.additionalProperties === "object") return `map of ${typeCell(s.additionalProperties, `${path}{}`, link)}`;
    return s["x-kubernetes-preserve-unknown-fields"] ? "object (fields not validated)" : "object";
  }
  let text = s.type ?? "any";
  if (s.format) text += ` (${s.format})`;
  if (s.enum) text += `, one of ${s.enum.map((v) => code(literal(v))).join(", ")}`;
  if (s.pattern !== undefined) text += ` matching ${code(s.pattern)}`;
  return text;
}

function range(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && max !== undefined) return min === max ? String(min) : `${min}–${max}`;
  if (max !== undefined) return `≤ ${max}`;
  if (min !== undefined) return `≥ ${min}`;
  return undefined;
}

/** Bounds the apiserver enforces: numbers, lengths, item and entry counts, list keys. */
export function boundsCell(s: SchemaNode): string {
  const parts: string[] = [];
  if (s.minimum !== undefined) parts.push(`${s.exclusiveMinimum ? ">" : "≥"} ${s.minimum}`);
  if (s.maximum !== undefined) parts.push(`${s.exclusiveMaximum ? "<" : "≤"} ${s.maximum}`);
  const length = range(s.minLength, s.maxLength);
  if (length) parts.push(`length ${length}`);
  const items = range(s.minItems, s.maxItems);
  if (items) parts.push(`${items} items`);
  const entries = range(s.minProperties, s.maxProperties);
  if (entries) parts.push(`${entries} entries`);
  const keys = s["x-kubernetes-list-map-keys"];
  if (s["x-kubernetes-list-type"] === "map" && keys) parts.push(`unique ${keys.map(code).join(", ")}`);
  if (s["x-kubernetes-list-type"] === "set") parts.push("unique items");
  // Bounds of scalar list items and map values belong to the field: they have no table of their own.
  const inner = s.items ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
  if (inner && !inner.properties) {
    const each = boundsCell(inner);
    if (each) parts.push(`each ${each}`);
  }
  return parts.join("; ");
}

export function defaultCell(s: SchemaNode): string {
  return s.default === undefined ? "" : code(literal(s.default));
}
