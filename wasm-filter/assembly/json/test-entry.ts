// Test and bench entry for the JSON library (compiled by wasm-filter/test/support/json-module.ts,
// never part of the filter). Node writes inputs into up to three slots (document, path or
// key, value), calls one operation, and reads the result back from the output buffer.
// Operations return a JsonError code (>= 0) or a negative code of their own.
import { JsonError } from "./errors";
import { JsonLimits } from "./limits";
import { parseJson, parseJsonString } from "./parse";
import { JsonSlot, compilePath, removeAt, select, selectSlots } from "./path";
import { JsonWriter, serializeJson } from "./serialize";
import { JsonValue, jsonEquals } from "./value";

const inputs = new StaticArray<Uint8Array>(3);
for (let i = 0; i < 3; i++) inputs[i] = new Uint8Array(0);
let output = new Uint8Array(0);
let lastOffset: i32 = 0;
let lastNumber: f64 = 0;

/** Bad path syntax. */
const BAD_PATH: i32 = -1;
/** parse(serialize(v)) differed from v. */
const ROUNDTRIP_MISMATCH: i32 = -2;
/** The document given to a path or mutation operation did not parse. */
const BAD_DOCUMENT: i32 = -3;
/** The value given to a mutation did not parse. */
const BAD_VALUE: i32 = -4;

function generous(): JsonLimits {
  return JsonLimits.of(1024, 1 << 30, 1 << 30, 1 << 30, 0);
}

function input(slot: i32, length: i32): Uint8Array {
  const whole = inputs[slot];
  return length == whole.length ? whole : whole.subarray(0, length);
}

function parseSlot(slot: i32, length: i32): JsonValue | null {
  const result = parseJson(input(slot, length), generous());
  lastOffset = result.offset;
  return result.value;
}

function text(slot: i32, length: i32): string {
  return String.UTF8.decodeUnsafe(inputs[slot].dataStart, <usize>length);
}

/** A buffer of `length` bytes for input `slot` (0..2); returns its address. */
export function alloc(slot: i32, length: i32): usize {
  const buffer = new Uint8Array(length);
  inputs[slot] = buffer;
  return buffer.dataStart;
}

export function outputPtr(): usize {
  return output.dataStart;
}

export function outputLen(): i32 {
  return output.length;
}

/** Offset reported by the last parse. */
export function offset(): i32 {
  return lastOffset;
}

/** Value of the last `parseNumber`. */
export function number(): f64 {
  return lastNumber;
}

/** Parses slot 0 with the given limits; returns the error code. */
export function parse(length: i32, maxDepth: i32, maxString: i32, maxArray: i32, maxKeys: i32, maxTotal: i32): i32 {
  const result = parseJson(input(0, length), JsonLimits.of(maxDepth, maxString, maxArray, maxKeys, maxTotal));
  lastOffset = result.offset;
  return result.error;
}

/** Parses slot 0 with the default limits (bench). */
export function parseDefault(length: i32): i32 {
  return parseJson(input(0, length)).error;
}

/** Parses and serializes slot 0 (bench). */
export function parseAndSerialize(length: i32): i32 {
  const result = parseJson(input(0, length));
  const value = result.value;
  if (value === null) return result.error;
  output = serializeJson(value);
  return 0;
}

/**
 * Parses slot 0 with generous limits, serializes it into the output, parses that again and
 * checks it equals the first tree. Returns the error code, or ROUNDTRIP_MISMATCH.
 */
export function roundtrip(length: i32): i32 {
  const first = parseJson(input(0, length), generous());
  lastOffset = first.offset;
  const value = first.value;
  if (value === null) return first.error;
  output = serializeJson(value);
  const again = parseJson(output, generous()).value;
  if (again === null || !jsonEquals(value, again)) return ROUNDTRIP_MISMATCH;
  return JsonError.None;
}

/** Same as `roundtrip` but through `parseJsonString` of the decoded text. */
export function roundtripString(length: i32): i32 {
  const first = parseJsonString(text(0, length), generous());
  lastOffset = first.offset;
  const value = first.value;
  if (value === null) return first.error;
  output = serializeJson(value);
  return JsonError.None;
}

/** Parses slot 0 as a document that should be one number; `number()` reads it. */
export function parseNumber(length: i32): i32 {
  const result = parseJson(input(0, length), generous());
  const value = result.value;
  if (value === null) return result.error;
  lastNumber = value.num;
  return JsonError.None;
}

/** Serializes one f64 into the output. */
export function serializeNumber(x: f64): void {
  const writer = new JsonWriter(32);
  writer.writeNumber(x);
  output = writer.toBytes();
}

/** Serializes the string in slot 1 (its UTF-8 decoded, or a raw UTF-16 view when `raw`). */
export function serializeText(length: i32, raw: bool): void {
  const s = raw ? String.UTF16.decodeUnsafe(inputs[1].dataStart, <usize>length) : text(1, length);
  output = serializeJson(JsonValue.string(s));
}

/** Compiles the path in slot 1; returns its step count or BAD_PATH. */
export function compile(pathLength: i32): i32 {
  const path = compilePath(text(1, pathLength));
  return path === null ? BAD_PATH : path.length;
}

/** Every match of path (slot 1) in the document (slot 0), as a JSON array in the output. */
export function selectPath(length: i32, pathLength: i32): i32 {
  const path = compilePath(text(1, pathLength));
  if (path === null) return BAD_PATH;
  const doc = parseSlot(0, length);
  if (doc === null) return BAD_DOCUMENT;
  const matches = new Array<JsonValue>();
  const count = select(doc, path, matches);
  const list = JsonValue.array();
  for (let i = 0; i < matches.length; i++) list.push(matches[i]);
  output = serializeJson(list);
  return count;
}

/** Removes path matches; the output is the document afterwards. Returns the count. */
export function removePath(length: i32, pathLength: i32): i32 {
  const path = compilePath(text(1, pathLength));
  if (path === null) return BAD_PATH;
  const doc = parseSlot(0, length);
  if (doc === null) return BAD_DOCUMENT;
  const count = removeAt(doc, path);
  output = serializeJson(doc);
  return count;
}

/** Replaces every path match with the value in slot 2; the output is the document. */
export function replacePath(length: i32, pathLength: i32, valueLength: i32): i32 {
  const path = compilePath(text(1, pathLength));
  if (path === null) return BAD_PATH;
  const doc = parseSlot(0, length);
  if (doc === null) return BAD_DOCUMENT;
  const slots = new Array<JsonSlot>();
  const count = selectSlots(doc, path, slots);
  for (let i = 0; i < slots.length; i++) {
    const value = parseSlot(2, valueLength);
    if (value === null) return BAD_VALUE;
    slots[i].replace(value);
  }
  output = serializeJson(doc);
  return count;
}

/**
 * Object and array edits on the document in slot 0; the output is the document afterwards.
 * op 0: set(key = slot 1, value = slot 2); op 1: remove(key); op 2: push(value);
 * op 3: truncate(arg); op 4: setAt(arg, value); op 5: removeIndex(arg).
 * Returns 1 when the edit reported success, 0 when not.
 */
export function edit(op: i32, length: i32, keyLength: i32, valueLength: i32, arg: i32): i32 {
  const doc = parseSlot(0, length);
  if (doc === null) return BAD_DOCUMENT;
  let value: JsonValue | null = null;
  if (op == 0 || op == 2 || op == 4) {
    value = parseSlot(2, valueLength);
    if (value === null) return BAD_VALUE;
  }
  const key = text(1, keyLength);
  let ok = false;
  if (op == 0 && value !== null) ok = doc.set(key, value);
  else if (op == 1) ok = doc.remove(key);
  else if (op == 2 && value !== null) ok = doc.push(value);
  else if (op == 3) ok = doc.truncate(arg);
  else if (op == 4 && value !== null) ok = doc.setAt(arg, value);
  else if (op == 5) ok = doc.removeIndex(arg);
  output = serializeJson(doc);
  return ok ? 1 : 0;
}

/**
 * Reads typed accessors on the document in slot 0 under key (slot 1) and writes them as
 * a JSON object: {kind, string, number, bool, size, has}.
 */
export function describe(length: i32, keyLength: i32): i32 {
  const doc = parseSlot(0, length);
  if (doc === null) return BAD_DOCUMENT;
  const key = text(1, keyLength);
  const report = JsonValue.object();
  const child = doc.get(key);
  report.set("kind", JsonValue.number(child === null ? -1 : <f64>child.kind));
  report.set("string", JsonValue.string(doc.getString(key, "fallback")));
  report.set("number", JsonValue.number(doc.getNumber(key, -1)));
  report.set("bool", JsonValue.boolean(doc.getBool(key, false)));
  report.set("size", JsonValue.number(child === null ? -1 : <f64>child.size));
  report.set("has", JsonValue.boolean(doc.has(key)));
  output = serializeJson(report);
  return 0;
}
