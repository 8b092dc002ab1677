// Seeded random JSON for the differential and fuzz tests: documents written as text with
// random whitespace, escapes (\uXXXX, surrogate pairs, short forms), raw non-ASCII, and
// numbers in every grammatical shape. Deterministic for a given seed.

import { mulberry32 } from "./unit-wasm.js";

export type Rng = () => number;

/** Base seed of the JSON tests; each test adds its own offset. */
export const GENERIC_SEED = 0x5eed;

/** mulberry32: a small, fast, seedable PRNG returning [0, 1). */
export const rng: (seed: number) => Rng = mulberry32;

export const int = (r: Rng, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)] as T;

const WS = [" ", "\t", "\n", "\r"] as const;

function ws(r: Rng): string {
  if (r() < 0.7) return "";
  let s = "";
  for (let i = int(r, 3) + 1; i > 0; i--) s += pick(r, WS);
  return s;
}

function digits(r: Rng, n: number, firstNonZero: boolean): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String(i === 0 && firstNonZero ? 1 + int(r, 9) : int(r, 10));
  return s;
}

/** A number in JSON grammar; may be out of f64 range only when `allowHuge`. */
export function numberText(r: Rng, allowHuge = false): string {
  const shape = int(r, 10);
  const sign = r() < 0.3 ? "-" : "";
  switch (shape) {
    case 0:
      return sign + String(int(r, 1000));
    case 1:
      return sign + String(int(r, 2 ** 31)) + String(int(r, 2 ** 31));
    case 2: {
      // A random double written the JS way (shortest round-trip).
      const x = (r() - 0.5) * 10 ** (int(r, 40) - 20);
      return String(x).replace("e+", pick(r, ["e+", "e", "E+", "E"]));
    }
    case 3:
      return sign + "0." + digits(r, 1 + int(r, 20), false);
    case 4:
      return sign + digits(r, 1 + int(r, 25), true) + "." + digits(r, 1 + int(r, 25), false);
    case 5: {
      const e = allowHuge ? int(r, 700) - 350 : int(r, 600) - 300;
      const exponent = e < 0 ? String(e) : pick(r, ["", "+"]) + String(e);
      return sign + digits(r, 1 + int(r, 3), true) + pick(r, ["e", "E"]) + exponent;
    }
    case 6:
      return sign + "0";
    case 7: {
      // Random bit pattern of a finite double.
      const b = new DataView(new ArrayBuffer(8));
      b.setUint32(0, int(r, 2 ** 32));
      b.setUint32(4, int(r, 2 ** 32));
      const x = b.getFloat64(0);
      return Number.isFinite(x) ? String(x) : "1.5";
    }
    case 8:
      // Many digits: past 19 significant digits and near halfway cases.
      return sign + digits(r, 1 + int(r, 40), true) + (r() < 0.5 ? "e-" + String(int(r, 330)) : "");
    default:
      return sign + String(int(r, 10)) + "." + digits(r, 1 + int(r, 17), false) + "e" + String(int(r, 20) - 10);
  }
}

const RAW = ["a", "Z", " ", "~", "é", "ß", "中", "文", "😀", "𝄞", "\u0080", "\u07ff", "\u0800", "\uffff", "\ue000"] as const;
const SHORT = ['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"] as const;

const hex4 = (n: number): string => n.toString(16).padStart(4, "0");

/** A JSON string literal (with quotes) mixing raw text and escapes. */
export function stringText(r: Rng, maxParts = 12): string {
  let s = '"';
  for (let i = int(r, maxParts); i > 0; i--) {
    const k = int(r, 10);
    if (k < 4) s += pick(r, ["a", "b", "hello", " world", "x_y", "0"]);
    else if (k < 6) s += pick(r, RAW);
    else if (k < 7) s += pick(r, SHORT);
    else if (k < 8) {
      let u = int(r, 0x10000);
      if (u >= 0xd800 && u <= 0xdfff) u = 0x41;
      const h = hex4(u);
      s += "\\u" + (r() < 0.5 ? h.toUpperCase() : h);
    } else if (k < 9) {
      const cp = 0x10000 + int(r, 0x100000);
      const hi = 0xd800 + ((cp - 0x10000) >> 10);
      const lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      s += "\\u" + hex4(hi) + "\\u" + hex4(lo);
    } else {
      s += "\\u00" + int(r, 32).toString(16).padStart(2, "0");
    }
  }
  return s + '"';
}

/** A random JSON document as text; object keys are unique within each object. */
export function documentText(r: Rng, depth = 0, maxDepth = 6): string {
  const k = int(r, depth >= maxDepth ? 6 : 9);
  let body: string;
  switch (k) {
    case 0:
      body = "null";
      break;
    case 1:
      body = r() < 0.5 ? "true" : "false";
      break;
    case 2:
    case 3:
      body = numberText(r);
      break;
    case 4:
    case 5:
      body = stringText(r);
      break;
    case 6:
    case 7: {
      const n = int(r, 6);
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(documentText(r, depth + 1, maxDepth));
      body = "[" + ws(r) + items.join("," + ws(r)) + ws(r) + "]";
      break;
    }
    default: {
      const n = int(r, 6);
      const entries: string[] = [];
      for (let i = 0; i < n; i++) {
        // Unique by construction: the index is part of the key.
        const key = '"' + pick(r, ["k", "model", "é", "\\u00e9", "x\\ny", "😀", ""]) + String(i) + '"';
        entries.push(key + ws(r) + ":" + ws(r) + documentText(r, depth + 1, maxDepth));
      }
      body = "{" + ws(r) + entries.join(ws(r) + "," + ws(r)) + ws(r) + "}";
    }
  }
  return ws(r) + body + ws(r);
}

const INTERESTING = [0x00, 0x09, 0x0a, 0x20, 0x22, 0x2c, 0x2d, 0x2e, 0x30, 0x31, 0x3a, 0x45, 0x5b, 0x5c, 0x5d, 0x65, 0x75, 0x7b, 0x7d, 0x80, 0xbf, 0xc0, 0xc3, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];

/** `bytes` with 1–4 random edits (flip, insert, delete, duplicate a slice). */
export function mutate(r: Rng, bytes: Uint8Array): Uint8Array {
  let out = Array.from(bytes);
  for (let edits = 1 + int(r, 4); edits > 0; edits--) {
    const at = int(r, out.length + 1);
    const k = int(r, 5);
    const b = r() < 0.6 ? pick(r, INTERESTING) : int(r, 256);
    if (k === 0 && out.length > 0) out[Math.min(at, out.length - 1)] = b;
    else if (k === 1) out.splice(at, 0, b);
    else if (k === 2) out.splice(at, 1);
    else if (k === 3) out = out.slice(0, at);
    else out.splice(at, 0, ...out.slice(at, at + int(r, 8)));
  }
  return Uint8Array.from(out);
}

/** Uniform random bytes, biased half the time toward JSON punctuation. */
export function randomBytes(r: Rng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const biased = r() < 0.5;
  for (let i = 0; i < length; i++) out[i] = biased && r() < 0.7 ? pick(r, INTERESTING) : int(r, 256);
  return out;
}
