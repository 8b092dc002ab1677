// The field tables and CEL rules of a CRD's structural schema, for the API reference. Pure.

/** The parts of a structural OpenAPI v3 schema node the reference shows. */
export interface SchemaNode {
  description?: string;
  type?: string;
  format?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: boolean;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  items?: SchemaNode;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-validations"?: CelValidation[];
}

export interface CelValidation {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
}

/** One field of an object. `path` is the full path: `spec.tiers[].name` (list item `[]`, map value `{}`). */
export interface Field {
  name: string;
  path: string;
  schema: SchemaNode;
  required: boolean;
}

/** An object level of the schema: the fields one table lists. */
export interface ObjectLevel {
  path: string;
  description?: string;
  fields: Field[];
}

/** A CEL rule and the object it is written on (`self`). */
export interface PathRule {
  path: string;
  validation: CelValidation;
}

/** Paths that hold an object with named fields, in schema order, outermost first. */
export function objectLevels(node: SchemaNode, path: string): ObjectLevel[] {
  const levels: ObjectLevel[] = [];
  visit(node, path, (n, p) => {
    if (!n.properties) return;
    const required = new Set(n.required ?? []);
    const fields = Object.entries(n.properties).map(([name, schema]) => ({ name, path: join(p, name), schema, required: required.has(name) }));
    levels.push({ path: p, ...(n.description !== undefined ? { description: n.description } : {}), fields });
  });
  return levels;
}

/** Every `x-kubernetes-validations` rule under `node`, with the path of the object it is on. */
export function celRules(node: SchemaNode, path: string): PathRule[] {
  const rules: PathRule[] = [];
  visit(node, path, (n, p) => {
    for (const validation of n["x-kubernetes-validations"] ?? []) rules.push({ path: p, validation });
  });
  return rules;
}

/** The node that holds named fields for a value of this schema (itself, or the object a list or map holds). */
export function objectPathOf(schema: SchemaNode, path: string): string | undefined {
  if (schema.properties) return path;
  if (schema.items) return objectPathOf(schema.items, `${path}[]`);
  if (isNode(schema.additionalProperties)) return objectPathOf(schema.additionalProperties, `${path}{}`);
  return undefined;
}

/** Depth-first, in schema order: each node, then its fields, list items and map values. */
function visit(node: SchemaNode, path: string, f: (n: SchemaNode, p: string) => void): void {
  f(node, path);
  for (const [name, child] of Object.entries(node.properties ?? {})) visit(child, join(path, name), f);
  if (node.items) visit(node.items, `${path}[]`, f);
  if (isNode(node.additionalProperties)) visit(node.additionalProperties, `${path}{}`, f);
}

const join = (path: string, name: string) => (path === "" ? name : `${path}.${name}`);

const isNode = (v: SchemaNode | boolean | undefined): v is SchemaNode => typeof v === "object";
