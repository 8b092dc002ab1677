// Compact serialization of a JsonValue to UTF-8 bytes, the inverse of parse.ts:
// parse(serialize(v)) equals v for every tree the parser can produce.
//   - numbers: integers (|x| < 2^53) without a fraction ("3", not "3.0"); others in the
//     shortest-or-near form of AssemblyScript's Grisu2 dtoa, which always reads back to the
//     same f64; -0 stays "-0"; NaN and ±Infinity (only possible in built trees) become null;
//   - strings: `"` `\` and control characters escaped (\b \f \n \r \t, else \u00XX), "/" and
//     non-ASCII written as is (UTF-8); a lone surrogate (only possible in built strings)
//     becomes U+FFFD, so the output is always valid UTF-8 and valid JSON;
//   - objects keep their key order; nesting beyond 1024 levels (or a cycle) is cut off
//     and written as null, and `JsonWriter.write` reports it by returning false.
import { dtoa_buffered } from "util/number";
import { JSON_MAX_DEPTH_CEILING } from "./limits";
import { JsonKind, JsonValue } from "./value";

const HEX: usize = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);
// dtoa writes at most 28 UTF-16 units.
const DTOA_SCRATCH: usize = memory.data(64);
const TWO_53: f64 = 9007199254740992;

/** A growable UTF-8 byte buffer that writes JSON. Reusable after `reset()`. */
export class JsonWriter {
  private buffer: ArrayBuffer;
  private length: i32 = 0;
  private cut: bool = false;

  constructor(initialCapacity: i32 = 256) {
    this.buffer = new ArrayBuffer(max(initialCapacity, 16));
  }

  /** Bytes written so far. */
  get byteLength(): i32 {
    return this.length;
  }

  reset(): void {
    this.length = 0;
    this.cut = false;
  }

  /** Appends `value`; false when part of it was too deep (written as null). */
  write(value: JsonValue): bool {
    this.cut = false;
    this.writeValue(value, 0);
    return !this.cut;
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    memory.copy(out.dataStart, changetype<usize>(this.buffer), <usize>this.length);
    return out;
  }

  /** The bytes written so far as a string. */
  toString(): string {
    return String.UTF8.decodeUnsafe(changetype<usize>(this.buffer), <usize>this.length);
  }

  // ---- low level ----------------------------------------------------------------------

  /** Makes room for `extra` more bytes; returns the write address. */
  private reserve(extra: i32): usize {
    const need = this.length + extra;
    const capacity = this.buffer.byteLength;
    if (need > capacity) {
      let next = capacity << 1;
      if (next < need) next = need;
      const grown = new ArrayBuffer(next);
      memory.copy(changetype<usize>(grown), changetype<usize>(this.buffer), <usize>this.length);
      this.buffer = grown;
    }
    return changetype<usize>(this.buffer) + <usize>this.length;
  }

  private byte(b: u32): void {
    const at = this.reserve(1);
    store<u8>(at, <u8>b);
    this.length++;
  }

  private ascii(text: string): void {
    const n = text.length;
    const at = this.reserve(n);
    const src = changetype<usize>(text);
    for (let i = 0; i < n; i++) store<u8>(at + <usize>i, <u8>load<u16>(src + (<usize>i << 1)));
    this.length += n;
  }

  private writeValue(value: JsonValue, depth: i32): void {
    switch (value.kind) {
      case JsonKind.Null:
        this.ascii("null");
        return;
      case JsonKind.Bool:
        this.ascii(value.bool ? "true" : "false");
        return;
      case JsonKind.Number:
        this.writeNumber(value.num);
        return;
      case JsonKind.String:
        this.writeString(value.str);
        return;
      default:
        break;
    }
    if (depth >= JSON_MAX_DEPTH_CEILING) {
      this.cut = true;
      this.ascii("null");
      return;
    }
    const n = value.size;
    if (value.kind == JsonKind.Array) {
      this.byte(0x5b);
      for (let i = 0; i < n; i++) {
        if (i > 0) this.byte(0x2c);
        const item = value.valueAt(i);
        if (item === null) this.ascii("null");
        else this.writeValue(item, depth + 1);
      }
      this.byte(0x5d);
      return;
    }
    this.byte(0x7b);
    for (let i = 0; i < n; i++) {
      if (i > 0) this.byte(0x2c);
      this.writeString(value.keyAt(i));
      this.byte(0x3a);
      const item = value.valueAt(i);
      if (item === null) this.ascii("null");
      else this.writeValue(item, depth + 1);
    }
    this.byte(0x7d);
  }

  /** Writes a number as JSON (see the file comment). */
  writeNumber(x: f64): void {
    if (!isFinite(x)) {
      this.ascii("null");
      return;
    }
    if (x == 0) {
      if (reinterpret<u64>(x) >> 63) this.ascii("-0");
      else this.byte(0x30);
      return;
    }
    if (x == Math.floor(x) && Math.abs(x) < TWO_53) {
      this.writeInteger(<i64>x);
      return;
    }
    let units = <i32>dtoa_buffered(DTOA_SCRATCH, x);
    // dtoa prints integral values with ".0"; JSON does not need it.
    if (units >= 2 && load<u16>(DTOA_SCRATCH + (<usize>(units - 1) << 1)) == 0x30 && load<u16>(DTOA_SCRATCH + (<usize>(units - 2) << 1)) == 0x2e) {
      units -= 2;
    }
    const at = this.reserve(units);
    for (let i = 0; i < units; i++) store<u8>(at + <usize>i, <u8>load<u16>(DTOA_SCRATCH + (<usize>i << 1)));
    this.length += units;
  }

  private writeInteger(v: i64): void {
    const at = this.reserve(21);
    let w = at;
    let u: u64 = <u64>v;
    if (v < 0) {
      store<u8>(w++, 0x2d);
      u = <u64>-v;
    }
    let digits: usize = 1;
    for (let t = u; t >= 10; t /= 10) digits++;
    let q = w + digits;
    do {
      q--;
      store<u8>(q, <u8>(0x30 + u % 10));
      u /= 10;
    } while (u != 0);
    this.length += <i32>(w + digits - at);
  }

  /** Writes `text` as a quoted, escaped JSON string. */
  writeString(text: string): void {
    const n = text.length;
    const src = changetype<usize>(text);
    // Worst case 6 bytes per unit (\u00XX); reserve in one step for short strings.
    let at = this.reserve(n * 3 + 2);
    let w = at;
    store<u8>(w++, 0x22);
    for (let i = 0; i < n; i++) {
      let c = <u32>load<u16>(src + (<usize>i << 1));
      if (c < 0x80) {
        if (c >= 0x20 && c != 0x22 && c != 0x5c) {
          store<u8>(w++, <u8>c);
          continue;
        }
        // Escapes need up to 6 bytes: flush and reserve exactly.
        this.length = <i32>(w - changetype<usize>(this.buffer));
        at = this.reserve(6 + (n - i) * 3 + 1);
        w = at;
        store<u8>(w++, 0x5c);
        if (c == 0x22 || c == 0x5c) store<u8>(w++, <u8>c);
        else if (c == 0x08) store<u8>(w++, 0x62);
        else if (c == 0x0c) store<u8>(w++, 0x66);
        else if (c == 0x0a) store<u8>(w++, 0x6e);
        else if (c == 0x0d) store<u8>(w++, 0x72);
        else if (c == 0x09) store<u8>(w++, 0x74);
        else {
          store<u8>(w++, 0x75);
          store<u8>(w++, 0x30);
          store<u8>(w++, 0x30);
          store<u8>(w++, load<u8>(HEX + <usize>(c >> 4)));
          store<u8>(w++, load<u8>(HEX + <usize>(c & 15)));
        }
        continue;
      }
      if (c < 0x800) {
        store<u8>(w++, <u8>(0xc0 | (c >> 6)));
        store<u8>(w++, <u8>(0x80 | (c & 0x3f)));
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        // A valid pair becomes one 4-byte sequence; anything else is U+FFFD.
        if (c <= 0xdbff && i + 1 < n) {
          const low = <u32>load<u16>(src + (<usize>(i + 1) << 1));
          if (low >= 0xdc00 && low <= 0xdfff) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
            store<u8>(w++, <u8>(0xf0 | (cp >> 18)));
            store<u8>(w++, <u8>(0x80 | ((cp >> 12) & 0x3f)));
            store<u8>(w++, <u8>(0x80 | ((cp >> 6) & 0x3f)));
            store<u8>(w++, <u8>(0x80 | (cp & 0x3f)));
            i++;
            continue;
          }
        }
        c = 0xfffd;
      }
      store<u8>(w++, <u8>(0xe0 | (c >> 12)));
      store<u8>(w++, <u8>(0x80 | ((c >> 6) & 0x3f)));
      store<u8>(w++, <u8>(0x80 | (c & 0x3f)));
    }
    store<u8>(w++, 0x22);
    this.length = <i32>(w - changetype<usize>(this.buffer));
  }
}

/** `value` as compact JSON in UTF-8. */
export function serializeJson(value: JsonValue): Uint8Array {
  const writer = new JsonWriter();
  writer.write(value);
  return writer.toBytes();
}

/** `value` as compact JSON text. */
export function serializeJsonString(value: JsonValue): string {
  const writer = new JsonWriter();
  writer.write(value);
  return writer.toString();
}
