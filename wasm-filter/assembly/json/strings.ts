// JSON strings straight from UTF-8 bytes to AssemblyScript (UTF-16) strings, in two passes:
// `scanString` validates (grammar, escapes, UTF-8, surrogate pairs) and measures, then
// `decodeString` allocates the exact string and fills it (a widening copy when the string
// is plain ASCII without escapes). Results of a scan are left in module globals (fixed
// size, nothing accumulates) so the hot path allocates only the string itself.
import { JsonError } from "./errors";

/** Error of the last scan (None on success). */
export let scanError: JsonError = JsonError.None;
/** UTF-16 code units the last scanned string decodes to. */
export let scanUnits: i32 = 0;
/** True when the last scanned string is ASCII without escapes. */
export let scanSimple: bool = true;

const QUOTE: u32 = 0x22;
const BACKSLASH: u32 = 0x5c;

// @ts-ignore: decorator
@inline
function hexValue(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const lower = c | 0x20;
  if (lower - 0x61 < 6) return <i32>(lower - 0x61 + 10);
  return -1;
}

/** The 4 hex digits at `p` as a code unit, or -1. */
function readHex4(p: usize): i32 {
  const a = hexValue(<u32>load<u8>(p));
  const b = hexValue(<u32>load<u8>(p, 1));
  const c = hexValue(<u32>load<u8>(p, 2));
  const d = hexValue(<u32>load<u8>(p, 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

// @ts-ignore: decorator
@inline
function isCont(c: u32): bool {
  return (c & 0xc0) == 0x80;
}

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/**
 * True when one of the 8 bytes in `x` is a quote, a backslash, a control character or
 * non-ASCII. (A borrow can only set a high bit above a byte that already matched, so
 * "any" is exact; the caller finds the position byte by byte.)
 */
// @ts-ignore: decorator
@inline
function endsAsciiRun(x: u64): bool {
  const quote = x ^ (ONES * 0x22);
  const backslash = x ^ (ONES * 0x5c);
  return ((quote - ONES) | (backslash - ONES) | (x - ONES * 0x20) | x) & HIGHS ? true : false;
}

/** Four bytes (the low 32 bits of v) widened to four u16 lanes. */
// @ts-ignore: decorator
@inline
function widen4(v: u64): u64 {
  v = (v | (v << 16)) & 0x0000ffff0000ffff;
  return (v | (v << 8)) & 0x00ff00ff00ff00ff;
}

/**
 * Scans the string body starting at `p` (just after the opening quote), up to `end`.
 * Returns the address of the closing quote, or 0 with `scanError` set. `maxBytes` bounds
 * the decoded UTF-8 length.
 */
export function scanString(p: usize, end: usize, maxBytes: i32): usize {
  let units: i32 = 0;
  let bytes: i32 = 0;
  let simple = true;
  scanError = JsonError.None;
  while (true) {
    // ASCII run without escapes, the common case: 8 bytes at a time, then byte by byte.
    const runStart = p;
    if (p < end && <u32>load<u8>(p) - 0x20 < 0x60 && load<u8>(p) != QUOTE && load<u8>(p) != BACKSLASH) {
      while (p + 8 <= end && !endsAsciiRun(load<u64>(p))) p += 8;
    }
    while (p < end) {
      const c = <u32>load<u8>(p);
      if (c == QUOTE || c == BACKSLASH || c < 0x20 || c >= 0x80) break;
      p++;
    }
    const run = <i32>(p - runStart);
    units += run;
    bytes += run;
    if (p >= end) {
      scanError = JsonError.Malformed;
      return 0;
    }
    const c = <u32>load<u8>(p);
    if (c == QUOTE) break;
    if (c < 0x20) {
      scanError = JsonError.Malformed;
      return 0;
    }
    simple = false;
    if (c == BACKSLASH) {
      if (p + 1 >= end) {
        scanError = JsonError.Malformed;
        return 0;
      }
      const e = <u32>load<u8>(p, 1);
      if (e == 0x75) {
        // \uXXXX, and a surrogate pair must be two escapes in a row.
        if (p + 6 > end) {
          scanError = JsonError.Malformed;
          return 0;
        }
        const u = readHex4(p + 2);
        if (u < 0 || (u >= 0xdc00 && u <= 0xdfff)) {
          scanError = JsonError.Malformed;
          return 0;
        }
        if (u >= 0xd800 && u <= 0xdbff) {
          if (p + 12 > end || load<u8>(p, 6) != BACKSLASH || load<u8>(p, 7) != 0x75) {
            scanError = JsonError.Malformed;
            return 0;
          }
          const low = readHex4(p + 8);
          if (low < 0xdc00 || low > 0xdfff) {
            scanError = JsonError.Malformed;
            return 0;
          }
          p += 12;
          units += 2;
          bytes += 4;
        } else {
          p += 6;
          units++;
          bytes += u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
        }
      } else if (e == QUOTE || e == BACKSLASH || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
        p += 2;
        units++;
        bytes++;
      } else {
        scanError = JsonError.Malformed;
        return 0;
      }
    } else if (c < 0xc2) {
      // Continuation byte without a lead, or an overlong 2-byte lead.
      scanError = JsonError.Malformed;
      return 0;
    } else if (c < 0xe0) {
      if (p + 2 > end || !isCont(<u32>load<u8>(p, 1))) {
        scanError = JsonError.Malformed;
        return 0;
      }
      p += 2;
      units++;
      bytes += 2;
    } else if (c < 0xf0) {
      if (p + 3 > end) {
        scanError = JsonError.Malformed;
        return 0;
      }
      const c1 = <u32>load<u8>(p, 1);
      // E0 needs A0..BF (no overlongs), ED needs 80..9F (no UTF-16 surrogates).
      const lo: u32 = c == 0xe0 ? 0xa0 : 0x80;
      const hi: u32 = c == 0xed ? 0x9f : 0xbf;
      if (c1 < lo || c1 > hi || !isCont(<u32>load<u8>(p, 2))) {
        scanError = JsonError.Malformed;
        return 0;
      }
      p += 3;
      units++;
      bytes += 3;
    } else if (c < 0xf5) {
      if (p + 4 > end) {
        scanError = JsonError.Malformed;
        return 0;
      }
      const c1 = <u32>load<u8>(p, 1);
      // F0 needs 90..BF (no overlongs), F4 needs 80..8F (nothing above U+10FFFF).
      const lo: u32 = c == 0xf0 ? 0x90 : 0x80;
      const hi: u32 = c == 0xf4 ? 0x8f : 0xbf;
      if (c1 < lo || c1 > hi || !isCont(<u32>load<u8>(p, 2)) || !isCont(<u32>load<u8>(p, 3))) {
        scanError = JsonError.Malformed;
        return 0;
      }
      p += 4;
      units += 2;
      bytes += 4;
    } else {
      scanError = JsonError.Malformed;
      return 0;
    }
    if (bytes > maxBytes) break;
  }
  if (bytes > maxBytes) {
    scanError = JsonError.StringTooLong;
    return 0;
  }
  scanUnits = units;
  scanSimple = simple;
  return p;
}

/** Decodes the string body [p, end) that `scanString` just accepted. */
export function decodeString(p: usize, end: usize): string {
  const units = scanUnits;
  if (units == 0) return "";
  const out = changetype<string>(__new(<usize>units << 1, idof<string>()));
  let w = changetype<usize>(out);
  if (scanSimple) {
    const n = end - p;
    let i: usize = 0;
    for (; i + 8 <= n; i += 8) {
      const x = load<u64>(p + i);
      store<u64>(w + (i << 1), widen4(x & 0xffffffff));
      store<u64>(w + (i << 1), widen4(x >> 32), 8);
    }
    for (; i < n; i++) store<u16>(w + (i << 1), <u16>load<u8>(p + i));
    return out;
  }
  while (p < end) {
    // Plain ASCII runs 8 bytes at a time, as in the simple case.
    while (p + 8 <= end) {
      const x = load<u64>(p);
      if (endsAsciiRun(x)) break;
      store<u64>(w, widen4(x & 0xffffffff));
      store<u64>(w, widen4(x >> 32), 8);
      w += 16;
      p += 8;
    }
    if (p >= end) break;
    const c = <u32>load<u8>(p);
    if (c == BACKSLASH) {
      const e = <u32>load<u8>(p, 1);
      let u: u32 = e;
      if (e == 0x75) {
        u = <u32>readHex4(p + 2);
        p += 6;
        if (u >= 0xd800 && u <= 0xdbff) {
          store<u16>(w, <u16>u);
          w += 2;
          u = <u32>readHex4(p + 2);
          p += 6;
        }
      } else {
        p += 2;
        if (e == 0x62) u = 0x08;
        else if (e == 0x66) u = 0x0c;
        else if (e == 0x6e) u = 0x0a;
        else if (e == 0x72) u = 0x0d;
        else if (e == 0x74) u = 0x09;
      }
      store<u16>(w, <u16>u);
      w += 2;
    } else if (c < 0x80) {
      store<u16>(w, <u16>c);
      w += 2;
      p++;
    } else if (c < 0xe0) {
      store<u16>(w, <u16>(((c & 0x1f) << 6) | (<u32>load<u8>(p, 1) & 0x3f)));
      w += 2;
      p += 2;
    } else if (c < 0xf0) {
      store<u16>(w, <u16>(((c & 0x0f) << 12) | ((<u32>load<u8>(p, 1) & 0x3f) << 6) | (<u32>load<u8>(p, 2) & 0x3f)));
      w += 2;
      p += 3;
    } else {
      const cp =
        ((c & 0x07) << 18) | ((<u32>load<u8>(p, 1) & 0x3f) << 12) | ((<u32>load<u8>(p, 2) & 0x3f) << 6) | (<u32>load<u8>(p, 3) & 0x3f);
      const v = cp - 0x10000;
      store<u16>(w, <u16>(0xd800 | (v >> 10)));
      store<u16>(w, <u16>(0xdc00 | (v & 0x3ff)), 2);
      w += 4;
      p += 4;
    }
  }
  return out;
}
