// Properties (Envoy attributes and metadata) as a tree addressed by a
// NUL-separated path. Values encode as Envoy returns them: strings as raw UTF-8,
// numbers as 8-byte little-endian doubles (Struct metadata has only doubles),
// bigints as 8-byte little-endian int64 (integer attributes such as
// request.size), booleans as one byte, Uint8Array verbatim. A numeric segment
// indexes a list. Containers come back whole in the header-map pairs format,
// nested ones encoded the same way inside: a map as (key, value) pairs, a list as
// pairs whose keys are the elements and whose values are empty (what Envoy 1.40
// returned for a JWT payload in metadata; see properties.test.ts).
import { WasmResult } from "./abi.js";
import { encodeUtf8 } from "./codec.js";

export type PropertyValue = string | number | bigint | boolean | Uint8Array | PropertyValue[] | PropertyTree;
export interface PropertyTree {
  [segment: string]: PropertyValue;
}

export type PropertyLookup = Uint8Array | WasmResult.NotFound | WasmResult.SerializationFailure;

function isTree(value: PropertyValue): value is PropertyTree {
  return typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function child(node: PropertyValue, segment: string): PropertyValue | undefined {
  if (Array.isArray(node)) {
    if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
    return node[Number(segment)];
  }
  if (isTree(node) && Object.prototype.hasOwnProperty.call(node, segment)) return node[segment];
  return undefined;
}

export function findProperty(tree: PropertyTree, segments: readonly string[]): PropertyValue | undefined {
  let node: PropertyValue = tree;
  for (const segment of segments) {
    const next = child(node, segment);
    if (next === undefined) return undefined;
    node = next;
  }
  return node;
}

export function encodeProperty(value: PropertyValue): Uint8Array | WasmResult.SerializationFailure {
  if (typeof value === "string") return encodeUtf8(value);
  if (typeof value === "number") {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, value, true);
    return out;
  }
  if (typeof value === "bigint") {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, value, true);
    return out;
  }
  if (typeof value === "boolean") return Uint8Array.of(value ? 1 : 0);
  if (value instanceof Uint8Array) return value;
  const pairs: [Uint8Array, Uint8Array][] = [];
  for (const [k, v] of Array.isArray(value) ? value.map((e) => [e, ""] as const) : Object.entries(value)) {
    const key = encodeProperty(k);
    const val = encodeProperty(v);
    if (typeof key === "number" || typeof val === "number") return WasmResult.SerializationFailure;
    pairs.push([key, val]);
  }
  return encodePairs(pairs);
}

/** count, then (key length, value length) per pair, then each key and value NUL-terminated. */
function encodePairs(pairs: readonly [Uint8Array, Uint8Array][]): Uint8Array {
  const size = 4 + pairs.reduce((n, [k, v]) => n + 8 + k.byteLength + v.byteLength + 2, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, pairs.length, true);
  let at = 4 + pairs.length * 8;
  pairs.forEach(([k, v], i) => {
    view.setUint32(4 + i * 8, k.byteLength, true);
    view.setUint32(8 + i * 8, v.byteLength, true);
    out.set(k, at);
    at += k.byteLength + 1;
    out.set(v, at);
    at += v.byteLength + 1;
  });
  return out;
}

/** Looks a path up in each layer in turn (stream first, then VM); the first hit wins. */
export function lookupProperty(layers: readonly (PropertyTree | undefined)[], path: string): PropertyLookup {
  const segments = path.split("\0");
  for (const layer of layers) {
    if (layer === undefined) continue;
    const value = findProperty(layer, segments);
    if (value !== undefined) return encodeProperty(value);
  }
  return WasmResult.NotFound;
}

/** proxy_set_property: stores raw bytes at the path, creating intermediate nodes. */
export function storeProperty(tree: PropertyTree, path: string, value: Uint8Array): WasmResult {
  const segments = path.split("\0");
  const last = segments.pop();
  if (last === undefined || last === "") return WasmResult.BadArgument;
  let node: PropertyTree = tree;
  for (const segment of segments) {
    const next = node[segment];
    if (next === undefined) {
      const created: PropertyTree = {};
      node[segment] = created;
      node = created;
    } else if (isTree(next)) {
      node = next;
    } else {
      return WasmResult.BadArgument;
    }
  }
  node[last] = value.slice();
  return WasmResult.Ok;
}

/** Where Istio's jwt_authn (payload_in_metadata: payload) leaves verified claims. */
export function jwtPayloadProperties(claims: PropertyTree): PropertyTree {
  return { metadata: { filter_metadata: { "envoy.filters.http.jwt_authn": { payload: claims } } } };
}
