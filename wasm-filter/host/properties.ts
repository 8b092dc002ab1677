// Properties (Envoy attributes and metadata) as a tree addressed by a
// NUL-separated path. Leaves encode as Envoy returns them: strings as raw UTF-8,
// numbers as 8-byte little-endian doubles (Struct metadata has only doubles),
// bigints as 8-byte little-endian int64 (integer attributes such as
// request.size), booleans as one byte, Uint8Array verbatim. A numeric segment
// indexes a list. Containers other than string maps cannot be returned whole.
import { WasmResult } from "./abi.js";
import { encodeUtf8 } from "./codec.js";
import { HeaderMap, serializeInto, serializedSize } from "./header-map.js";

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
  if (!Array.isArray(value) && Object.values(value).every((v) => typeof v === "string")) {
    // Envoy returns string maps (e.g. request.headers) in header-map serialization.
    const map = HeaderMap.from(value as Record<string, string>);
    const lengths: number[] = [];
    const out = new Uint8Array(serializedSize(map, lengths));
    if (out.byteLength > 0) serializeInto(map, lengths, out, 0);
    return out;
  }
  return WasmResult.SerializationFailure;
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
