// Strict RFC 8259 parser from UTF-8 bytes to a JsonValue tree. It never throws or traps:
// every problem comes back as a JsonError with the byte offset where it was found.
//
// Iterative (an explicit container stack, no recursion), so nesting costs heap, not native
// stack, and a 100k-deep `[[[[…` stops with TooDeep at the limit. Limits are checked before
// the work they bound. Decisions:
//   - duplicate keys in one object are rejected (DuplicateKey): parsers that keep the first
//     and ones that keep the last would disagree on what a request means;
//   - numbers beyond f64 range are rejected (NumberOutOfRange); underflow rounds to zero;
//   - a byte-order mark, comments, trailing commas, NaN/Infinity, leading zeros, single
//     quotes, control characters in strings, invalid UTF-8 and lone surrogate escapes are
//     all Malformed; whitespace is only space, tab, LF and CR; any value may be top-level.
import { JsonError } from "./errors";
import { JSON_MAX_DEPTH_CEILING, JsonLimits } from "./limits";
import { numberError, numberValue, scanNumber } from "./number";
import { decodeString, scanError, scanString } from "./strings";
import { JsonValue } from "./value";

export class JsonParseResult {
  /** The document, when `error` is None. */
  value: JsonValue | null = null;
  error: JsonError = JsonError.None;
  /** Byte offset of the problem; the input length on success. */
  offset: i32 = 0;

  get ok(): bool {
    return this.error == JsonError.None;
  }
}

/** Keys of an object are checked for duplicates one by one up to this count; an object
 *  with more is checked once more as a whole, with a hash set, when it closes. */
const LINEAR_KEY_CHECK: i32 = 16;
/** Scratch stacks above this many entries are dropped after a parse (memory stays flat). */
const KEEP_SCRATCH: i32 = 4096;

// Parser state for the one parse in progress (module globals: a parse never re-enters).
let failure: JsonError = JsonError.None;
let failedAt: usize = 0;
// Values (and keys) of the open containers, in order; a container takes its exact-size
// slice when it closes. Frames record where each open container's entries start.
let pending = new Array<JsonValue>();
let pendingKeys = new Array<string>();
const FRAME_BYTES: usize = 12; // kind (0 array, 1 object), first value, first key
const frames: usize = memory.data(<i32>(<usize>JSON_MAX_DEPTH_CEILING * FRAME_BYTES));

function fail(error: JsonError, at: usize): usize {
  failure = error;
  failedAt = at;
  return 0;
}

// @ts-ignore: decorator
@inline
function skipWhitespace(p: usize, end: usize): usize {
  while (p < end) {
    const c = load<u8>(p);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
    p++;
  }
  return p;
}

/** Parses a whole document; trailing non-whitespace bytes are Malformed. */
export function parseJson(bytes: Uint8Array, limits: JsonLimits = new JsonLimits()): JsonParseResult {
  return parseJsonAt(bytes.dataStart, bytes.length, limits);
}

/** `parseJson` over a string (encoded to UTF-8 first): for configuration text. */
export function parseJsonString(text: string, limits: JsonLimits = new JsonLimits()): JsonParseResult {
  const buffer = String.UTF8.encode(text);
  return parseJsonAt(changetype<usize>(buffer), buffer.byteLength, limits);
}

/**
 * `parseJson` over `length` bytes at `ptr` (which the caller keeps alive during the call).
 */
export function parseJsonAt(ptr: usize, length: i32, limits: JsonLimits): JsonParseResult {
  const result = new JsonParseResult();
  failure = JsonError.None;
  failedAt = ptr;
  const value = parseDocument(ptr, ptr + <usize>max(length, 0), limits);
  // Drop what an aborted parse left behind; never keep a big scratch stack alive.
  if (pending.length > KEEP_SCRATCH) pending = new Array<JsonValue>();
  else pending.length = 0;
  if (pendingKeys.length > KEEP_SCRATCH) pendingKeys = new Array<string>();
  else pendingKeys.length = 0;
  if (value === null || failure != JsonError.None) {
    result.error = failure == JsonError.None ? JsonError.Malformed : failure;
    result.offset = <i32>(failedAt - ptr);
    return result;
  }
  result.value = value;
  result.offset = length;
  return result;
}

/**
 * Reads an object key and its colon into `pendingKeys`; `firstKey` is where the open
 * object's keys start. Returns the address after the colon, or 0.
 */
function parseKey(firstKey: i32, p: usize, end: usize, limits: JsonLimits): usize {
  p = skipWhitespace(p, end);
  if (p >= end || load<u8>(p) != 0x22) return fail(JsonError.Malformed, p);
  const keys = pendingKeys;
  const count = keys.length - firstKey;
  if (count >= limits.maxObjectKeys) return fail(JsonError.TooManyKeys, p);
  const start = p + 1;
  const close = scanString(start, end, limits.maxStringLength);
  if (close == 0) return fail(scanError, start);
  const key = decodeString(start, close);
  if (count < LINEAR_KEY_CHECK) {
    for (let i = firstKey, n = keys.length; i < n; i++) {
      if (unchecked(keys[i]) == key) return fail(JsonError.DuplicateKey, p);
    }
  }
  keys.push(key);
  p = skipWhitespace(close + 1, end);
  if (p >= end || load<u8>(p) != 0x3a) return fail(JsonError.Malformed, p);
  return p + 1;
}

/** True when the keys from `firstKey` on are unique (checked with a set; many keys). */
function keysUnique(firstKey: i32): bool {
  const keys = pendingKeys;
  const seen = new Set<string>();
  for (let i = firstKey, n = keys.length; i < n; i++) {
    const key = unchecked(keys[i]);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function parseDocument(p: usize, end: usize, limits: JsonLimits): JsonValue | null {
  const maxDepth = min(limits.maxDepth, JSON_MAX_DEPTH_CEILING);
  const maxTotal = limits.maxTotalValues;
  const maxArray = limits.maxArrayLength;
  let depth: i32 = 0;
  let total: i32 = 0;

  while (true) {
    // ---- one value starts at p ----
    p = skipWhitespace(p, end);
    if (p >= end) {
      fail(JsonError.Malformed, p);
      return null;
    }
    total++;
    if (maxTotal > 0 && total > maxTotal) {
      fail(JsonError.TooManyValues, p);
      return null;
    }
    const c = <u32>load<u8>(p);
    let value: JsonValue;
    if (c == 0x7b || c == 0x5b) {
      if (depth >= maxDepth) {
        fail(JsonError.TooDeep, p);
        return null;
      }
      const isObject = c == 0x7b;
      p = skipWhitespace(p + 1, end);
      if (p < end && load<u8>(p) == (isObject ? 0x7d : 0x5d)) {
        p++;
        value = isObject ? JsonValue.object() : JsonValue.array(); // empty: complete at once
      } else {
        const frame = frames + <usize>depth * FRAME_BYTES;
        store<i32>(frame, isObject ? 1 : 0);
        store<i32>(frame, pending.length, 4);
        store<i32>(frame, pendingKeys.length, 8);
        depth++;
        if (isObject) {
          p = parseKey(pendingKeys.length, p, end, limits);
          if (p == 0) return null;
        } else if (maxArray < 1) {
          fail(JsonError.ArrayTooLong, p);
          return null;
        }
        continue;
      }
    } else if (c == 0x22) {
      const start = p + 1;
      const close = scanString(start, end, limits.maxStringLength);
      if (close == 0) {
        fail(scanError, start);
        return null;
      }
      value = JsonValue.string(decodeString(start, close));
      p = close + 1;
    } else if (c == 0x2d || c - 0x30 < 10) {
      const after = scanNumber(p, end);
      if (after == 0) {
        fail(numberError, p);
        return null;
      }
      value = JsonValue.number(numberValue);
      p = after;
    } else if (c == 0x74 && p + 4 <= end && load<u32>(p) == 0x65757274) {
      value = JsonValue.boolean(true); // "true"
      p += 4;
    } else if (c == 0x66 && p + 5 <= end && load<u32>(p, 1) == 0x65736c61) {
      value = JsonValue.boolean(false); // "f" + "alse"
      p += 5;
    } else if (c == 0x6e && p + 4 <= end && load<u32>(p) == 0x6c6c756e) {
      value = JsonValue.nullValue(); // "null"
      p += 4;
    } else {
      fail(JsonError.Malformed, p);
      return null;
    }

    // ---- attach the finished value to its parents, closing containers as they end ----
    while (true) {
      if (depth == 0) {
        p = skipWhitespace(p, end);
        if (p != end) {
          fail(JsonError.Malformed, p);
          return null;
        }
        return value;
      }
      const frame = frames + <usize>(depth - 1) * FRAME_BYTES;
      const isObject = load<i32>(frame) == 1;
      const firstValue = load<i32>(frame, 4);
      pending.push(value);
      p = skipWhitespace(p, end);
      if (p >= end) {
        fail(JsonError.Malformed, p);
        return null;
      }
      const next = <u32>load<u8>(p);
      if (next == 0x2c) {
        if (!isObject) {
          if (pending.length - firstValue >= maxArray) {
            fail(JsonError.ArrayTooLong, p);
            return null;
          }
          p++;
        } else {
          p = parseKey(load<i32>(frame, 8), p + 1, end, limits);
          if (p == 0) return null;
        }
        break; // the next value starts
      }
      if (next != (isObject ? 0x7d : 0x5d)) {
        fail(JsonError.Malformed, p);
        return null;
      }
      const values = pending.slice(firstValue);
      pending.length = firstValue;
      if (isObject) {
        const firstKey = load<i32>(frame, 8);
        if (pendingKeys.length - firstKey > LINEAR_KEY_CHECK && !keysUnique(firstKey)) {
          fail(JsonError.DuplicateKey, p);
          return null;
        }
        value = JsonValue.ofEntries(pendingKeys.slice(firstKey), values);
        pendingKeys.length = firstKey;
      } else {
        value = JsonValue.ofItems(values);
      }
      p++;
      depth--;
    }
  }
}
