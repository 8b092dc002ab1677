// Strict base64 (RFC 4648 section 4, standard alphabet `A-Z a-z 0-9 + /`).
//
// Decisions:
//  - Alphabet: standard only. base64url (`-`, `_`) is rejected: image payloads
//    (OpenAI-style `data:image/png;base64,…`, KServe bytes) use the standard
//    alphabet, and accepting two alphabets would make two spellings of one payload.
//  - Padding: optional. Either the input is a multiple of 4 ending in at most two
//    `=`, or it has no `=` and its length mod 4 is 2 or 3. A length of 1 mod 4 is
//    always invalid, `=` anywhere but the last one or two positions is invalid, and
//    `===`/partial padding (`abc=` is fine, `ab=` is not) is invalid.
//  - Canonical: the unused low bits of the last character must be zero (RFC 4648
//    section 3.5 allows rejecting them). Two different strings never decode to the
//    same bytes, so a deny list on decoded bytes cannot be sidestepped.
//  - Whitespace: none allowed, not even CR/LF line breaks (no MIME wrapping). JSON
//    clients send one unbroken string.
//  - Empty input is valid and decodes to zero bytes.
//
// Ranges: every function takes `start`/`end` (end = -1 means s.length) so a caller
// can skip a `data:` prefix without copying a multi-megabyte string.
// Sizes are i64 so callers compare against i64 caps without overflow.
// Nothing here throws; invalid input gives -1 / false / null.

// Code unit (0..255) -> sextet, 255 = not in the alphabet.
const TABLE: usize = memory.data<u8>([
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 62, 255, 255, 255, 63,
  52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 255, 255, 255, 255, 255, 255,
  255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 255, 255, 255, 255, 255,
  255, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
  41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
]);

const PAD: i32 = 0x3d; // '='

// @ts-ignore: decorator
@inline
function codeAt(s: string, i: i32): i32 {
  // Callers guarantee 0 <= i < s.length.
  return <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
}

// @ts-ignore: decorator
@inline
function sextet(c: i32): i32 {
  return c < 256 ? <i32>load<u8>(TABLE + <usize>c) : 255;
}

function clampEnd(s: string, end: i32): i32 {
  return end < 0 || end > s.length ? s.length : end;
}

/** Number of `=` at the end of s[start..end) (0, 1 or 2 counted). */
function padCount(s: string, start: i32, end: i32): i32 {
  let pad = 0;
  if (end - start >= 1 && codeAt(s, end - 1) == PAD) {
    pad = 1;
    if (end - start >= 2 && codeAt(s, end - 2) == PAD) pad = 2;
  }
  return pad;
}

/**
 * Decoded byte count of s[start..end) from its length and trailing `=` only (O(1),
 * reads at most two characters), or -1 when the shape is impossible. A non-negative
 * result does not mean the characters are valid: see base64Valid.
 */
export function base64DecodedLength(s: string, start: i32 = 0, end: i32 = -1): i64 {
  end = clampEnd(s, end);
  if (start < 0 || start > end) return -1;
  const n = <i64>(end - start);
  const pad = padCount(s, start, end);
  if (pad > 0) {
    if (n % 4 != 0) return -1;
    return (n / 4) * 3 - <i64>pad;
  }
  const r = n % 4;
  if (r == 1) return -1;
  return (n / 4) * 3 + (r == 0 ? 0 : r - 1);
}

/** Full validation of s[start..end): shape, alphabet, padding, zero trailing bits. O(n), no allocation. */
export function base64Valid(s: string, start: i32 = 0, end: i32 = -1): bool {
  end = clampEnd(s, end);
  if (base64DecodedLength(s, start, end) < 0) return false;
  const dataEnd = end - padCount(s, start, end);
  let bad = 0;
  for (let i = start; i < dataEnd; i++) bad |= sextet(codeAt(s, i));
  if (bad & 0x80) return false; // 255 has the high bit, sextets never do
  return trailingBitsZero(s, start, dataEnd);
}

/** The unused low bits of the final partial quantum must be zero. */
function trailingBitsZero(s: string, start: i32, dataEnd: i32): bool {
  const rem = (dataEnd - start) & 3;
  if (rem == 2) return (sextet(codeAt(s, dataEnd - 1)) & 0x0f) == 0;
  if (rem == 3) return (sextet(codeAt(s, dataEnd - 1)) & 0x03) == 0;
  return true; // rem 0: no partial quantum (rem 1 was rejected by the length rule)
}

/**
 * Decodes s[start..end) when it is valid and decodes to at most maxBytes bytes;
 * otherwise null. The size cap is checked from the length alone BEFORE anything is
 * allocated or scanned, so an oversized payload costs O(1).
 */
export function base64Decode(s: string, maxBytes: i64, start: i32 = 0, end: i32 = -1): Uint8Array | null {
  end = clampEnd(s, end);
  const total = base64DecodedLength(s, start, end);
  if (total < 0 || total > maxBytes || total > <i64>0x3fffffff) return null;
  if (!base64Valid(s, start, end)) return null;
  const out = new Uint8Array(<i32>total);
  const dst = out.dataStart;
  const dataEnd = end - padCount(s, start, end);
  let i = start;
  let o: usize = 0;
  while (i + 4 <= dataEnd) {
    const v = (sextet(codeAt(s, i)) << 18) | (sextet(codeAt(s, i + 1)) << 12) | (sextet(codeAt(s, i + 2)) << 6) | sextet(codeAt(s, i + 3));
    store<u8>(dst + o, <u8>(v >> 16));
    store<u8>(dst + o + 1, <u8>(v >> 8));
    store<u8>(dst + o + 2, <u8>v);
    o += 3;
    i += 4;
  }
  const rem = dataEnd - i;
  if (rem >= 2) {
    const v = (sextet(codeAt(s, i)) << 18) | (sextet(codeAt(s, i + 1)) << 12) | (rem == 3 ? sextet(codeAt(s, i + 2)) << 6 : 0);
    store<u8>(dst + o, <u8>(v >> 16));
    if (rem == 3) store<u8>(dst + o + 1, <u8>(v >> 8));
  }
  return out;
}

/**
 * Random access to the bytes that s[start..end) decodes to, without decoding the
 * rest. Each byteAt reads two characters. byteAt returns -1 past the end or when a
 * character it needs is not in the alphabet, so it is safe on unvalidated input;
 * only base64Valid proves the whole string is well formed.
 */
export class Base64View {
  s: string;
  start: i32;
  end: i32;
  /** Decoded length, or -1 when the shape is invalid (then every byteAt is -1). */
  length: i64;

  constructor(s: string, start: i32 = 0, end: i32 = -1) {
    this.s = s;
    this.start = start < 0 ? 0 : start;
    this.end = clampEnd(s, end);
    this.length = base64DecodedLength(s, this.start, this.end);
  }

  byteAt(k: i64): i32 {
    if (k < 0 || k >= this.length) return -1;
    const group = k / 3;
    const r = <i32>(k - group * 3);
    const at = <i64>this.start + group * 4 + <i64>r; // first of the two characters needed
    if (at < 0 || at + 1 >= <i64>this.end) return -1;
    const a = sextet(codeAt(this.s, <i32>at));
    const b = sextet(codeAt(this.s, <i32>at + 1));
    if ((a | b) & 0x80) return -1;
    if (r == 0) return ((a << 2) | (b >> 4)) & 0xff;
    if (r == 1) return ((a << 4) | (b >> 2)) & 0xff;
    return ((a << 6) | b) & 0xff;
  }

  /** Big-endian unsigned 16/32-bit reads; -1 when any byte is missing. */
  u16be(k: i64): i32 {
    const a = this.byteAt(k);
    const b = this.byteAt(k + 1);
    if ((a | b) < 0) return -1;
    return (a << 8) | b;
  }
  u16le(k: i64): i32 {
    const a = this.byteAt(k);
    const b = this.byteAt(k + 1);
    if ((a | b) < 0) return -1;
    return (b << 8) | a;
  }
  u24le(k: i64): i64 {
    const a = this.byteAt(k);
    const b = this.byteAt(k + 1);
    const c = this.byteAt(k + 2);
    if ((a | b | c) < 0) return -1;
    return <i64>((c << 16) | (b << 8) | a);
  }
  u32be(k: i64): i64 {
    const hi = this.u16be(k);
    const lo = this.u16be(k + 2);
    if ((hi | lo) < 0) return -1;
    return (<i64>hi << 16) | <i64>lo;
  }
  u32le(k: i64): i64 {
    const lo = this.u16le(k);
    const hi = this.u16le(k + 2);
    if ((hi | lo) < 0) return -1;
    return (<i64>hi << 16) | <i64>lo;
  }
}

/**
 * The first min(n, decoded length) bytes of s[start..end), decoding and checking
 * only the characters those bytes need (cheap magic-byte and header reads on a
 * multi-megabyte payload). null when the shape is invalid or a needed character
 * is not in the alphabet. Does NOT validate the rest: pair with base64Valid.
 */
export function base64DecodePrefix(s: string, n: i32, start: i32 = 0, end: i32 = -1): Uint8Array | null {
  const view = new Base64View(s, start, end);
  if (view.length < 0 || n < 0) return null;
  const take = <i64>n < view.length ? n : <i32>view.length;
  const out = new Uint8Array(take);
  for (let i = 0; i < take; i++) {
    const b = view.byteAt(i);
    if (b < 0) return null;
    unchecked((out[i] = <u8>b));
  }
  return out;
}
