// An HTTP header map with Envoy's semantics: names are lower-cased, lookups
// return the first value of a repeated name, replace drops the other values,
// and order is kept for serialization.
import { utf8Length, writeUtf8 } from "./codec.js";

export type HeaderPairs = [string, string][];
export type HeadersInput = HeaderPairs | Record<string, string>;

export class HeaderMap {
  readonly keys: string[] = [];
  readonly values: string[] = [];

  static from(input: HeadersInput | undefined): HeaderMap {
    const map = new HeaderMap();
    if (input === undefined) return map;
    if (Array.isArray(input)) {
      for (const [key, value] of input) map.add(key, value);
    } else {
      for (const key of Object.keys(input)) map.add(key, input[key] as string);
    }
    return map;
  }

  get size(): number {
    return this.keys.length;
  }

  get(key: string): string | undefined {
    const name = key.toLowerCase();
    const at = this.keys.indexOf(name);
    return at < 0 ? undefined : this.values[at];
  }

  add(key: string, value: string): void {
    this.keys.push(key.toLowerCase());
    this.values.push(value);
  }

  replace(key: string, value: string): void {
    const name = key.toLowerCase();
    const at = this.keys.indexOf(name);
    if (at < 0) {
      this.add(name, value);
      return;
    }
    this.values[at] = value;
    this.removeFrom(name, at + 1);
  }

  remove(key: string): void {
    this.removeFrom(key.toLowerCase(), 0);
  }

  clear(): void {
    this.keys.length = 0;
    this.values.length = 0;
  }

  private removeFrom(name: string, start: number): void {
    let write = start;
    for (let read = start; read < this.keys.length; read++) {
      if (this.keys[read] === name) continue;
      this.keys[write] = this.keys[read] as string;
      this.values[write] = this.values[read] as string;
      write++;
    }
    this.keys.length = write;
    this.values.length = write;
  }

  toPairs(): HeaderPairs {
    return this.keys.map((key, i) => [key, this.values[i] as string]);
  }

  clone(): HeaderMap {
    const copy = new HeaderMap();
    copy.keys.push(...this.keys);
    copy.values.push(...this.values);
    return copy;
  }
}

/**
 * Size of the spec's serialized form: u32 count, u32 key/value sizes per pair,
 * then key NUL value NUL. An empty map serializes to nothing (size 0).
 */
export function serializedSize(map: HeaderMap, lengths: number[]): number {
  const n = map.size;
  if (n === 0) return 0;
  let size = 4 + n * 8;
  lengths.length = n * 2;
  for (let i = 0; i < n; i++) {
    const k = utf8Length(map.keys[i] as string);
    const v = utf8Length(map.values[i] as string);
    lengths[i * 2] = k;
    lengths[i * 2 + 1] = v;
    size += k + v + 2;
  }
  return size;
}

/** Writes the serialized form at `at` using lengths from serializedSize. */
export function serializeInto(map: HeaderMap, lengths: readonly number[], target: Uint8Array, at: number): void {
  const n = map.size;
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(at, n, true);
  let data = at + 4 + n * 8;
  for (let i = 0; i < n; i++) {
    const k = lengths[i * 2] as number;
    const v = lengths[i * 2 + 1] as number;
    view.setUint32(at + 4 + i * 8, k, true);
    view.setUint32(at + 8 + i * 8, v, true);
    data = writeUtf8(target, data, map.keys[i] as string, k);
    target[data++] = 0;
    data = writeUtf8(target, data, map.values[i] as string, v);
    target[data++] = 0;
  }
}

/** Parses the serialized form; null when it is malformed. Empty input (size 0 or one NUL byte) is an empty map. */
export function deserializePairs(bytes: Uint8Array): HeaderPairs | null {
  if (bytes.byteLength === 0 || (bytes.byteLength === 1 && bytes[0] === 0)) return [];
  if (bytes.byteLength < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  if (4 + n * 8 > bytes.byteLength) return null;
  const decoder = new TextDecoder();
  const pairs: HeaderPairs = [];
  let data = 4 + n * 8;
  for (let i = 0; i < n; i++) {
    const k = view.getUint32(4 + i * 8, true);
    const v = view.getUint32(8 + i * 8, true);
    if (data + k + v + 2 > bytes.byteLength) return null;
    const key = decoder.decode(bytes.subarray(data, data + k));
    data += k + 1;
    const value = decoder.decode(bytes.subarray(data, data + v));
    data += v + 1;
    pairs.push([key, value]);
  }
  return pairs;
}
