// Several case-insensitive "contains" globs checked in one pass over a text. When every
// pattern's first segment has at least three ASCII units, the scan is Wu–Manber: it looks at
// the last two units of a window as long as the shortest first segment and jumps ahead by up to
// that length minus one, so ordinary prose is read a fraction of a unit at a time. Otherwise a
// table of the character pairs that can start a match lets the scan skip most positions (single
// letters are too common in prose to filter on). Either way each candidate is verified against
// the patterns starting with its first two units. If adversarial text makes verification
// expensive, it falls back to one linear KMP search per pattern, so the cost stays linear in the
// text whatever it holds.
import { compileGlob, Glob } from "./glob";

const ASCII = 128;

export class PatternSet {
  private globs: Glob[] = [];
  /** First two (lowercase) units of each pattern's first segment; second is -1 for one-unit segments. */
  private first0: StaticArray<i32> = new StaticArray<i32>(0);
  private first1: StaticArray<i32> = new StaticArray<i32>(0);
  /** Marks ASCII pairs (c0 * 128 + c1) that start some pattern, and ASCII units that start a one-unit one. */
  private pairs: StaticArray<u8> = new StaticArray<u8>(ASCII * ASCII);
  private singles: StaticArray<u8> = new StaticArray<u8>(ASCII);
  /** Some pattern starts with a non-ASCII unit: every position is a candidate. */
  private nonAscii: bool = false;
  private matchesAll: bool = false;
  private done: StaticArray<u8> = new StaticArray<u8>(0);
  /** Wu–Manber window (shortest first segment, at most 255 units); 0 when the pair scan is used. */
  private window: i32 = 0;
  /** Per folded ASCII pair: how far the window may move when its last two units are that pair. */
  private shifts: StaticArray<u8> = new StaticArray<u8>(0);

  get size(): i32 {
    return this.globs.length;
  }

  add(pattern: string): void {
    const g = compileGlob(pattern, true);
    this.globs.push(g);
    const n = this.globs.length;
    const f0 = new StaticArray<i32>(n);
    const f1 = new StaticArray<i32>(n);
    for (let j = 0; j < n - 1; j++) {
      f0[j] = this.first0[j];
      f1[j] = this.first1[j];
    }
    this.first0 = f0;
    this.first1 = f1;
    this.done = new StaticArray<u8>(n);
    if (g.segments.length == 0) {
      this.matchesAll = true;
      f0[n - 1] = -1;
      f1[n - 1] = -1;
      return;
    }
    const seg = g.segments[0]; // segments of folding globs are lowercase
    const c0 = <i32>seg.charCodeAt(0);
    const c1 = seg.length > 1 ? <i32>seg.charCodeAt(1) : -1;
    f0[n - 1] = c0;
    f1[n - 1] = c1;
    if (c0 >= ASCII || c1 >= ASCII) this.nonAscii = true;
    else if (c1 < 0) this.singles[c0] = 1;
    else this.pairs[c0 * ASCII + c1] = 1;
    this.planSkips();
  }

  /** Chooses the scan and builds the Wu–Manber shift table (configuration time, not per request). */
  private planSkips(): void {
    this.window = 0;
    if (this.matchesAll) return;
    let m = 255;
    for (let j = 0; j < this.globs.length; j++) {
      const seg = this.globs[j].segments[0];
      if (seg.length < m) m = seg.length;
    }
    if (m < 3) return;
    for (let j = 0; j < this.globs.length; j++) {
      const seg = this.globs[j].segments[0];
      for (let q = 0; q < m; q++) if (<i32>seg.charCodeAt(q) >= ASCII) return;
    }
    const shifts = new StaticArray<u8>(ASCII * ASCII);
    memory.fill(changetype<usize>(shifts), <u8>(m - 1), <usize>(ASCII * ASCII));
    for (let j = 0; j < this.globs.length; j++) {
      const seg = this.globs[j].segments[0];
      // The pair ending at prefix position q may be followed by m - 1 - q more window units.
      for (let q = 1; q < m; q++) {
        const pair = <i32>seg.charCodeAt(q - 1) * ASCII + <i32>seg.charCodeAt(q);
        const s = <u8>(m - 1 - q);
        if (s < shifts[pair]) shifts[pair] = s;
      }
    }
    this.shifts = shifts;
    this.window = m;
  }

  /** True when some pattern matches a substring of the text (ASCII case-insensitive). */
  foundIn(text: string): bool {
    if (this.globs.length == 0) return false;
    if (this.matchesAll) return true;
    const n = text.length;
    const base = changetype<usize>(text);
    const done = this.done;
    for (let j = 0; j < done.length; j++) unchecked((done[j] = 0));
    if (this.window > 0) return this.skipScan(text);
    let budget: i64 = <i64>n * 8 + 1024;
    let prev = -1;
    // Raw table pointers: this loop runs once per character of every prompt.
    const singles = changetype<usize>(this.singles);
    const pairs = changetype<usize>(this.pairs);
    const nonAscii = this.nonAscii;
    for (let i = 0; i < n; i++) {
      let c = <i32>load<u16>(base + (<usize>i << 1));
      if (<u32>(c - 0x41) <= 25) c += 32;
      const p = prev;
      prev = c;
      // Candidates: a one-unit pattern starting at i, or a pair starting at i - 1.
      if (!nonAscii) {
        if (c >= ASCII) continue;
        const single = load<u8>(singles + <usize>c) != 0;
        const pair = <u32>p < <u32>ASCII && load<u8>(pairs + <usize>(p * ASCII + c)) != 0;
        if (!single && !pair) continue;
      }
      for (let j = 0; j < this.globs.length; j++) {
        if (unchecked(done[j]) != 0) continue;
        const f1 = unchecked(this.first1[j]);
        const start = f1 < 0 ? i : i - 1;
        if (start < 0 || (f1 < 0 ? unchecked(this.first0[j]) != c : unchecked(this.first0[j]) != p || f1 != c)) continue;
        const found = this.verify(text, j, start);
        if (found != NOT_FOUND) return found == FOUND;
        budget -= unchecked(this.globs[j]).segments[0].length;
        if (budget < 0) return this.slowFoundIn(text);
      }
    }
    return false;
  }

  /** Wu–Manber over windows of `window` units; every window a pattern may start is verified. */
  private skipScan(text: string): bool {
    const n = text.length;
    const m = this.window;
    const base = changetype<usize>(text);
    const shifts = changetype<usize>(this.shifts);
    const done = this.done;
    let budget: i64 = <i64>n * 8 + 1024;
    let i = m - 1; // last unit of the window
    while (i < n) {
      const a = foldUnit(load<u16>(base + (<usize>(i - 1) << 1)));
      const b = foldUnit(load<u16>(base + (<usize>i << 1)));
      // No pattern's first m units hold a non-ASCII unit: such a pair moves the window fully.
      const shift = a < ASCII && b < ASCII ? <i32>load<u8>(shifts + <usize>(a * ASCII + b)) : m - 1;
      if (shift > 0) {
        i += shift;
        continue;
      }
      const start = i - m + 1;
      const c0 = foldUnit(load<u16>(base + (<usize>start << 1)));
      const c1 = foldUnit(load<u16>(base + (<usize>(start + 1) << 1)));
      for (let j = 0; j < this.globs.length; j++) {
        if (unchecked(done[j]) != 0 || unchecked(this.first0[j]) != c0 || unchecked(this.first1[j]) != c1) continue;
        const found = this.verify(text, j, start);
        if (found != NOT_FOUND) return found == FOUND;
        budget -= unchecked(this.globs[j]).segments[0].length;
        if (budget < 0) return this.slowFoundIn(text);
      }
      i++;
    }
    return false;
  }

  /** Pattern j at `start`: FOUND, or NOT_FOUND (marking j done when its rest cannot follow anywhere). */
  private verify(text: string, j: i32, start: i32): i32 {
    const g = unchecked(this.globs[j]);
    const seg = unchecked(g.segments[0]);
    if (!regionEqualsFold(text, start, seg)) return NOT_FOUND;
    if (g.segments.length == 1) return FOUND;
    // The earliest occurrence of the first segment leaves the most room for the rest: if the
    // rest is not found after it, it is not found after any later one either.
    if (g.segmentsFoundFrom(text, start + seg.length, 1)) return FOUND;
    unchecked((this.done[j] = 1));
    return NOT_FOUND;
  }

  private slowFoundIn(text: string): bool {
    for (let j = 0; j < this.globs.length; j++) if (unchecked(this.globs[j]).foundIn(text)) return true;
    return false;
  }
}

const NOT_FOUND: i32 = 0;
const FOUND: i32 = 1;

// @ts-ignore: decorator
@inline
function foldUnit(u: u16): i32 {
  const c = <i32>u;
  return <u32>(c - 0x41) <= 25 ? c + 32 : c;
}

/** text[at..] starts with `seg` (lowercase), comparing ASCII case-insensitively. */
function regionEqualsFold(text: string, at: i32, seg: string): bool {
  const m = seg.length;
  if (at + m > text.length) return false;
  const t = changetype<usize>(text) + (<usize>at << 1);
  const s = changetype<usize>(seg);
  for (let k = 0; k < m; k++) {
    let c = <i32>load<u16>(t + (<usize>k << 1));
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c != <i32>load<u16>(s + (<usize>k << 1))) return false;
  }
  return true;
}
