/**
 * Turns the JSON Schema that zod emits (OpenAPI 3.0 flavour) into a Kubernetes structural
 * schema: no `additionalProperties: false`, no `$schema`, no JavaScript safe-integer bounds,
 * integers with an explicit format, and nothing the apiserver would reject.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type SchemaNode = { [k: string]: Json };

const SAFE_INT = Number.MAX_SAFE_INTEGER;
const INT32_MAX = 2 ** 31 - 1;

/** Keys that structural schemas allow, in the order we emit them (stable output). */
const KEY_ORDER = [
  "description",
  "type",
  "format",
  "default",
  "enum",
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "items",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "required",
  "properties",
  "additionalProperties",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-validations",
];
const ALLOWED = new Set(KEY_ORDER);

function isObject(v: Json | undefined): v is SchemaNode {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function toStructural(node: SchemaNode): SchemaNode {
  const src: SchemaNode = { ...node };
  if (Array.isArray(src.anyOf) || Array.isArray(src.oneOf) || Array.isArray(src.allOf)) {
    throw new Error(`unions are not structural; restructure the schema (at ${JSON.stringify(src.description ?? "?")})`);
  }
  if (src.type === "integer") {
    if (src.maximum === SAFE_INT) delete src.maximum;
    if (src.minimum === -SAFE_INT) delete src.minimum;
    const max = typeof src.maximum === "number" ? src.maximum : undefined;
    src.format = max !== undefined && max <= INT32_MAX ? "int32" : "int64";
  }
  // zod puts list-map markers on the array; map keys must be required in each item.
  if (isObject(src.items) && Array.isArray(src["x-kubernetes-list-map-keys"])) {
    const item = src.items;
    const keys = src["x-kubernetes-list-map-keys"].filter((k): k is string => typeof k === "string");
    const req = new Set([...(Array.isArray(item.required) ? item.required : []), ...keys]);
    src.items = { ...item, required: [...req].filter((k): k is string => typeof k === "string") };
  }
  const out: SchemaNode = {};
  for (const key of KEY_ORDER) {
    const v = src[key];
    if (v === undefined || !ALLOWED.has(key)) continue;
    if (key === "additionalProperties") {
      if (isObject(v)) out[key] = toStructural(v);
      continue; // `false` is the default for structural schemas and not allowed
    }
    if (key === "properties" && isObject(v)) {
      const props: SchemaNode = {};
      for (const name of Object.keys(v)) {
        const child = v[name];
        if (isObject(child)) props[name] = toStructural(child);
      }
      out[key] = props;
      continue;
    }
    if (key === "items" && isObject(v)) {
      out[key] = toStructural(v);
      continue;
    }
    if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      if (v === true) out[key] = true;
      continue;
    }
    out[key] = v;
  }
  // Drop empty required lists, which the apiserver rejects.
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
  return out;
}
