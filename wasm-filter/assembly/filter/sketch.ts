// A 16-number sketch of a JSON request body for the cluster-wide extraction detector: a fixed
// random ±1 projection of its numeric leaves plus hashed byte trigrams of its strings. It is
// linear, so distances, near-duplicates and collinear sweep steps between inputs survive, and it
// reveals no input. The reference is operator/src/detector/sketch.ts; a test checks they agree.
import { JsonKind, JsonValue } from "../json";

export const SKETCH_DIMS: i32 = 16;
const MAX_NUMERIC: u64 = 4096;
const MAX_GRAMS: i32 = 65536;

class SketchState {
  num: StaticArray<f64> = new StaticArray<f64>(SKETCH_DIMS);
  str: StaticArray<i32> = new StaticArray<i32>(SKETCH_DIMS);
  k: u64 = 0;
  grams: i32 = 0;
}

function splitmix64(k: u64): u64 {
  let z = k + 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

function addNumber(s: SketchState, v: f64): void {
  if (s.k < MAX_NUMERIC) {
    const z = splitmix64(s.k);
    for (let j = 0; j < SKETCH_DIMS; j++) {
      const neg = ((z >> <u64>j) & 1) != 0;
      unchecked((s.num[j] += neg ? -v : v));
    }
  }
  s.k++;
}

function lower(b: u32): u32 {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

// The hot loops below take and keep only numbers and raw pointers: a managed object used inside a
// loop makes AssemblyScript spill it to its shadow stack on every iteration, which cost more than
// the hashing itself.

/** Scratch for a string's UTF-8 bytes, reused across requests (grown as needed). */
let scratch = new ArrayBuffer(4096);

/** Writes the UTF-8 bytes of `n` UTF-16 units at `p` to `out`; returns how many. */
function utf8Into(p: usize, n: i32, out: usize): i32 {
  let o: usize = out;
  for (let i = 0; i < n; i++) {
    let c = <u32>load<u16>(p + (<usize>i << 1));
    if (c < 0x80) {
      store<u8>(o++, <u8>c);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const d = <u32>load<u16>(p + (<usize>(i + 1) << 1));
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    // Lone surrogates encode as U+FFFD, as UTF-8 encoders do (the parser refuses them anyway).
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    if (c < 0x800) {
      store<u8>(o++, <u8>(0xc0 | (c >> 6)));
    } else {
      if (c < 0x10000) store<u8>(o++, <u8>(0xe0 | (c >> 12)));
      else {
        store<u8>(o++, <u8>(0xf0 | (c >> 18)));
        store<u8>(o++, <u8>(0x80 | ((c >> 12) & 0x3f)));
      }
      store<u8>(o++, <u8>(0x80 | ((c >> 6) & 0x3f)));
    }
    store<u8>(o++, <u8>(0x80 | (c & 0x3f)));
  }
  return <i32>(o - out);
}

/** Adds the byte trigrams of `len` bytes at `p` (or the whole run if shorter) to the i32 counters at `acc`. */
function addGrams(p: usize, len: i32, acc: usize, grams: i32): i32 {
  let g: u32 = 0;
  for (let i = 0; i < len && grams < MAX_GRAMS; i++) {
    g = ((g << 8) | lower(<u32>load<u8>(p + <usize>i))) & 0xffffff;
    if (i >= 2) {
      grams = countGram(acc, g, grams);
    }
  }
  if (len > 0 && len < 3 && grams < MAX_GRAMS) grams = countGram(acc, g, grams);
  return grams;
}

/** Bucket and sign from the top bits of a multiplicative hash of the gram's (up to 3) bytes. */
@inline function countGram(acc: usize, g: u32, grams: i32): i32 {
  const h = g * 0x9e3779b1;
  const slot = acc + (<usize>(h >> 28) << 2);
  store<i32>(slot, load<i32>(slot) + (((h >> 27) & 1) != 0 ? -1 : 1));
  return grams + 1;
}

function addString(s: SketchState, text: string): void {
  const n = text.length;
  if (n == 0 || s.grams >= MAX_GRAMS) return;
  if (scratch.byteLength < n * 3) scratch = new ArrayBuffer(n * 3);
  const out = changetype<usize>(scratch);
  const len = utf8Into(changetype<usize>(text), n, out);
  s.grams = addGrams(out, len, changetype<usize>(s.str), s.grams);
}

function walk(s: SketchState, v: JsonValue): void {
  switch (v.kind) {
    case JsonKind.Number: addNumber(s, v.num); break;
    case JsonKind.String: addString(s, v.str); break;
    case JsonKind.Array:
    case JsonKind.Object: {
      const n = v.size;
      for (let i = 0; i < n; i++) {
        const c = v.valueAt(i);
        if (c !== null) walk(s, c);
      }
      break;
    }
    default: break;
  }
}

/** The sketch of a parsed body, each number rounded to 3 decimals. */
export function sketchJson(root: JsonValue): StaticArray<f64> {
  const s = new SketchState();
  walk(s, root);
  const out = new StaticArray<f64>(SKETCH_DIMS);
  const norm = s.grams > 0 ? Math.sqrt(<f64>s.grams) : 1.0;
  for (let j = 0; j < SKETCH_DIMS; j++) {
    const x = unchecked(s.num[j]) * 0.25 + (s.grams > 0 ? <f64>unchecked(s.str[j]) / norm : 0.0);
    unchecked((out[j] = Math.round(x * 1000) / 1000));
  }
  return out;
}
