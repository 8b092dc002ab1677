// ASCII helpers shared by the pure checks. Strings are UTF-16 in AssemblyScript;
// these work on code units and treat everything >= 0x80 as "not ASCII".
// Nothing here throws: out-of-range reads use charCodeAt, which yields -1.

/** 'A'..'Z' mapped to 'a'..'z'; every other code unit unchanged. */
// @ts-ignore: decorator
@inline
export function foldAscii(c: i32): i32 {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

// @ts-ignore: decorator
@inline
export function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

// @ts-ignore: decorator
@inline
export function isAlpha(c: i32): bool {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

/** Value of an ASCII hex digit, or -1. */
export function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Lower-cases ASCII letters only (no Unicode case mapping). Returns s itself when unchanged. */
export function lowerAscii(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) break;
    i++;
  }
  if (i == n) return s; // already lower: no allocation
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  const src = changetype<usize>(s);
  const dst = changetype<usize>(out);
  for (let j = 0; j < n; j++) {
    const off = <usize>j << 1;
    store<u16>(dst + off, <u16>foldAscii(<i32>load<u16>(src + off)));
  }
  return out;
}

/** ASCII case-insensitive equality of whole strings. */
export function equalsFold(a: string, b: string): bool {
  const n = a.length;
  if (n != b.length) return false;
  for (let i = 0; i < n; i++) {
    if (foldAscii(a.charCodeAt(i)) != foldAscii(b.charCodeAt(i))) return false;
  }
  return true;
}

/** ASCII case-insensitive: does s[at..] start with prefix? */
export function startsWithFoldAt(s: string, at: i32, prefix: string): bool {
  const n = prefix.length;
  if (at < 0 || at + n > s.length) return false;
  for (let i = 0; i < n; i++) {
    if (foldAscii(s.charCodeAt(at + i)) != foldAscii(prefix.charCodeAt(i))) return false;
  }
  return true;
}
