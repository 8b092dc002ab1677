// Glob matching for policy patterns. Only `*` is special: it matches any run of
// code units, including the empty run. Every other character, `?` and `[`
// included, is literal. There is no escape syntax.
//
// Matching is linear in pattern + text: the pattern is split at `*` into literal
// segments; the first segment is anchored at the start, the last at the end, and
// the middle ones are found left to right with KMP. Taking the leftmost
// occurrence of each middle segment is optimal for `*`-only globs, so there is no
// backtracking (`a*a*a*a*b` against `aaaa…` costs one pass per segment's share
// of the text, never exponential or quadratic).
//
// Compile once with `compileGlob` when the same pattern is used per request; the
// free functions compile on every call (allocates the KMP tables).
//
// "Fold" variants compare ASCII case-insensitively ('A'..'Z' == 'a'..'z'); other
// code units must be equal.
import { equalsFold, foldAscii, lowerAscii } from "./ascii";

const STAR: i32 = 0x2a;

export class Glob {
  /** Literal pieces between stars, empty ones dropped. */
  segments: Array<string> = new Array<string>(0);
  /** KMP failure table per segment. */
  tables: Array<Int32Array> = new Array<Int32Array>(0);
  /** The pattern contained no star: whole-text equality. */
  literal: bool = true;
  /** The pattern does not start / end with a star. */
  anchoredStart: bool = true;
  anchoredEnd: bool = true;
  fold: bool = false;
  source: string = "";

  /** Does the whole text match? */
  matches(text: string): bool {
    const segs = this.segments;
    const count = segs.length;
    if (this.literal) {
      if (count == 0) return text.length == 0;
      return equalText(unchecked(segs[0]), text, this.fold);
    }
    let first = 0;
    let last = count; // exclusive
    let pos = 0;
    let end = text.length;
    if (this.anchoredStart && count > 0) {
      const s = unchecked(segs[0]);
      if (!regionEquals(text, 0, s, this.fold)) return false;
      pos = s.length;
      first = 1;
    }
    if (this.anchoredEnd && last > first) {
      const s = unchecked(segs[last - 1]);
      if (end - s.length < pos) return false;
      if (!regionEquals(text, end - s.length, s, this.fold)) return false;
      end -= s.length;
      last--;
    }
    for (let i = first; i < last; i++) {
      const at = kmpFind(text, pos, end, unchecked(segs[i]), unchecked(this.tables[i]), this.fold);
      if (at < 0) return false;
      pos = at + unchecked(segs[i]).length;
    }
    return true;
  }

  /** Does the pattern match some substring of the text (as if wrapped in `*…*`)? */
  foundIn(text: string): bool {
    return this.segmentsFoundFrom(text, 0, 0);
  }

  /** Segments `first`… found in order in text[pos..]. */
  segmentsFoundFrom(text: string, pos: i32, first: i32): bool {
    const segs = this.segments;
    const end = text.length;
    for (let i = first; i < segs.length; i++) {
      const at = kmpFind(text, pos, end, unchecked(segs[i]), unchecked(this.tables[i]), this.fold);
      if (at < 0) return false;
      pos = at + unchecked(segs[i]).length;
    }
    return true; // an empty pattern matches the empty substring
  }
}

/** Splits the pattern at stars and precomputes the KMP tables. Never fails. */
export function compileGlob(pattern: string, fold: bool): Glob {
  const g = new Glob();
  g.fold = fold;
  g.source = pattern;
  const n = pattern.length;
  let start = 0;
  for (let i = 0; i <= n; i++) {
    if (i == n || pattern.charCodeAt(i) == STAR) {
      if (i < n) g.literal = false;
      if (i > start) {
        const raw = pattern.substring(start, i);
        const seg = fold ? lowerAscii(raw) : raw;
        g.segments.push(seg);
        g.tables.push(kmpTable(seg, fold));
      }
      start = i + 1;
    }
  }
  if (n > 0 && pattern.charCodeAt(0) == STAR) g.anchoredStart = false;
  if (n > 0 && pattern.charCodeAt(n - 1) == STAR) g.anchoredEnd = false;
  return g;
}

/** Whole-text match, exact code units. */
export function globMatch(pattern: string, text: string): bool {
  return compileGlob(pattern, false).matches(text);
}

/** Whole-text match, ASCII case-insensitive. */
export function globMatchFold(pattern: string, text: string): bool {
  return compileGlob(pattern, true).matches(text);
}

/** True when the pattern matches any substring of haystack (ASCII case-insensitive).
 *  Used for deny patterns such as `ignore previous instructions` or
 *  `-----BEGIN * PRIVATE KEY-----`. An empty pattern is found in every haystack. */
export function containsGlobFold(haystack: string, pattern: string): bool {
  return compileGlob(pattern, true).foundIn(haystack);
}

/**
 * Host allowlist patterns. `host` is expected already canonical (lowercase, no
 * trailing dot, as produced by the URL parser in checks/ssrf.ts). Comparison is
 * ASCII case-insensitive and one trailing dot on the pattern is ignored.
 *  - `*`              matches every host.
 *  - `*.example.com`  matches `a.example.com` and `a.b.example.com` (one or more
 *                     labels) but NOT `example.com` itself; list both to allow both.
 *  - anything else    exact match (`example.com`, `203.0.113.7`, `[2001:db8::1]`).
 *                     A `*` anywhere else is literal and so never matches a valid host.
 *  Wildcards apply to DNS names: `*.0.0.1` does not match the IP literal `127.0.0.1`
 *  (ssrf.ts only offers names to wildcard patterns).
 */
export function hostMatches(pattern: string, host: string, hostIsIp: bool = false): bool {
  let p = pattern;
  if (p.length > 1 && p.charCodeAt(p.length - 1) == 0x2e) p = p.substring(0, p.length - 1);
  if (p == "*") return true;
  if (p.length >= 2 && p.charCodeAt(0) == STAR && p.charCodeAt(1) == 0x2e) {
    if (hostIsIp) return false;
    const suffixLen = p.length - 1; // ".example.com"
    const hl = host.length;
    if (hl <= suffixLen) return false;
    if (host.charCodeAt(hl - suffixLen - 1) == 0x2e) return false; // empty label
    for (let i = 0; i < suffixLen; i++) {
      if (foldAscii(host.charCodeAt(hl - suffixLen + i)) != foldAscii(p.charCodeAt(1 + i))) return false;
    }
    return true;
  }
  return equalsFold(p, host);
}

// --- internals ---------------------------------------------------------------

// @ts-ignore: decorator
@inline
function unit(s: string, i: i32, fold: bool): i32 {
  // Callers guarantee 0 <= i < s.length.
  const c = <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
  return fold ? foldAscii(c) : c;
}

function equalText(a: string, b: string, fold: bool): bool {
  if (a.length != b.length) return false;
  return regionEquals(b, 0, a, fold);
}

/** text[at .. at+seg.length) equals seg? Bounds-checked. */
function regionEquals(text: string, at: i32, seg: string, fold: bool): bool {
  const m = seg.length;
  if (at < 0 || at + m > text.length) return false;
  for (let i = 0; i < m; i++) {
    if (unit(text, at + i, fold) != unit(seg, i, fold)) return false;
  }
  return true;
}

function kmpTable(seg: string, fold: bool): Int32Array {
  const m = seg.length;
  const t = new Int32Array(m > 0 ? m : 1);
  let k = 0;
  for (let i = 1; i < m; i++) {
    const c = unit(seg, i, fold);
    while (k > 0 && unit(seg, k, fold) != c) k = unchecked(t[k - 1]);
    if (unit(seg, k, fold) == c) k++;
    unchecked((t[i] = k));
  }
  return t;
}

/** First index i in [from, to - seg.length] with text[i..i+m) == seg, else -1. */
function kmpFind(text: string, from: i32, to: i32, seg: string, table: Int32Array, fold: bool): i32 {
  const m = seg.length;
  if (to > text.length) to = text.length;
  if (from < 0) from = 0;
  if (m == 0) return from <= to ? from : -1;
  if (table.length < m) return -1; // defensive: table and segment out of sync
  // Segments of folding globs are stored lowercased (compileGlob), so only the text is folded.
  const segBase = changetype<usize>(seg);
  const textBase = changetype<usize>(text);
  const first = <i32>load<u16>(segBase);
  let k = 0;
  for (let i = from; i < to; i++) {
    let c = <i32>load<u16>(textBase + (<usize>i << 1));
    if (fold && c >= 0x41 && c <= 0x5a) c += 32;
    if (k == 0) {
      // Fast path: most positions do not even start a match.
      if (c != first) continue;
      k = 1;
    } else {
      while (k > 0 && <i32>load<u16>(segBase + (<usize>k << 1)) != c) k = unchecked(table[k - 1]);
      if (<i32>load<u16>(segBase + (<usize>k << 1)) == c) k++;
    }
    if (k == m) return i - m + 1;
  }
  return -1;
}
