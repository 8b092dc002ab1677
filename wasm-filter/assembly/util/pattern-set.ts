// Several case-insensitive "contains" globs checked in one pass over a text: a table of the
// character pairs that can start a match lets the scan skip most positions (single letters are
// too common in prose to filter on), and each candidate is verified against the patterns
// starting with that pair. If adversarial text makes
// verification expensive, it falls back to one linear KMP search per pattern, so the cost
// stays linear in the text whatever it holds.
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
  }

  /** True when some pattern matches a substring of the text (ASCII case-insensitive). */
  foundIn(text: string): bool {
    if (this.globs.length == 0) return false;
    if (this.matchesAll) return true;
    const n = text.length;
    const base = changetype<usize>(text);
    const done = this.done;
    for (let j = 0; j < done.length; j++) unchecked((done[j] = 0));
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
        const g = unchecked(this.globs[j]);
        const seg = unchecked(g.segments[0]);
        budget -= seg.length;
        if (budget < 0) return this.slowFoundIn(text);
        if (!regionEqualsFold(text, start, seg)) continue;
        if (g.segments.length == 1) return true;
        // The earliest occurrence of the first segment leaves the most room for the rest: if the
        // rest is not found after it, it is not found after any later one either.
        if (g.segmentsFoundFrom(text, start + seg.length, 1)) return true;
        unchecked((done[j] = 1));
      }
    }
    return false;
  }

  private slowFoundIn(text: string): bool {
    for (let j = 0; j < this.globs.length; j++) if (unchecked(this.globs[j]).foundIn(text)) return true;
    return false;
  }
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
