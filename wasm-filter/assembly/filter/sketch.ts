// A 16-number sketch of a JSON request body for the cluster-wide extraction detector: a fixed
// random ±1 projection of its numeric leaves plus hashed character trigrams of its strings. It is
// linear, so distances, near-duplicates and collinear sweep steps between inputs survive, and it
// reveals no input. The reference is operator/src/detector/sketch.ts; a test checks they agree.
import { JsonKind, JsonValue } from "../json";

export const SKETCH_DIMS: i32 = 16;
const MAX_NUMERIC: u64 = 4096;
const MAX_GRAMS: i32 = 65536;

class SketchState {
  num: StaticArray<f64> = new StaticArray<f64>(SKETCH_DIMS);
  str: StaticArray<f64> = new StaticArray<f64>(SKETCH_DIMS);
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

function addGram(s: SketchState, p: usize, n: i32): void {
  let h: u32 = 2166136261;
  for (let i = 0; i < n; i++) h = (h ^ lower(<u32>load<u8>(p + <usize>i))) * 16777619;
  // The top bits: FNV-1a's low bits depend only on the low bits of each byte (case, digits).
  const j = <i32>(h >> 28);
  unchecked((s.str[j] += ((h >> 27) & 1) != 0 ? -1.0 : 1.0));
  s.grams++;
}

function addString(s: SketchState, text: string): void {
  if (text.length == 0) return;
  const bytes = String.UTF8.encode(text);
  const p = changetype<usize>(bytes);
  const n = bytes.byteLength;
  if (n < 3) {
    if (s.grams < MAX_GRAMS) addGram(s, p, n);
    return;
  }
  for (let i = 0; i + 3 <= n && s.grams < MAX_GRAMS; i++) addGram(s, p + <usize>i, 3);
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
    const x = unchecked(s.num[j]) * 0.25 + (s.grams > 0 ? unchecked(s.str[j]) / norm : 0.0);
    unchecked((out[j] = Math.round(x * 1000) / 1000));
  }
  return out;
}
