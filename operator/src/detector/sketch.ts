/**
 * The input sketch (contract 1, mirrored bit for bit by the wasm filter): a 16-number summary of a
 * JSON request body. Numbers go through a fixed ±1 random projection (signs from splitmix64 of
 * the leaf's index), which roughly preserves distances, so nearest neighbours, collinear sweep
 * steps and near-duplicates survive; strings add hashed, case-folded byte trigrams.
 */
import { visitJsonLeaves } from "./json-leaves.js";
import { splitmix64 } from "./splitmix64.js";

export const SKETCH_DIM = 16;
/** Numeric leaves beyond this index still count but no longer contribute. */
export const SIGNED_LEAVES = 4096;
/** Text grams beyond this count are ignored. */
export const MAX_GRAMS = 65536;

/** Low 16 bits of splitmix64(k) for every leaf index that contributes: bit j set means minus. */
const SIGNS: Uint16Array = (() => {
  const t = new Uint16Array(SIGNED_LEAVES);
  for (let k = 0; k < SIGNED_LEAVES; k++) t[k] = Number(splitmix64(BigInt(k)) & 0xffffn);
  return t;
})();

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A gram's bucket and sign come from the top bits of a multiplicative (Fibonacci) hash of its up
 * to three bytes, big-endian: one multiply per gram, and every input bit reaches the top bits.
 */
export function gramHash(bytes: Uint8Array, start: number, end: number): number {
  let g = 0;
  for (let i = start; i < end; i++) g = (g << 8) | (bytes[i] as number);
  return Math.imul(g, 0x9e3779b1) >>> 0;
}

/** The sketch of a request body, or undefined when the body is not JSON. */
export function sketchOf(body: string | Uint8Array): number[] | undefined {
  let text: string;
  if (typeof body === "string") {
    text = body;
  } else {
    try {
      text = strictUtf8.decode(body);
    } catch {
      return undefined;
    }
  }
  const num = new Float64Array(SKETCH_DIM);
  const str = new Int32Array(SKETCH_DIM);
  let leaves = 0;
  let grams = 0;

  const addGram = (bytes: Uint8Array, start: number, end: number) => {
    const h = gramHash(bytes, start, end);
    const j = h >>> 28;
    str[j] = (str[j] as number) + ((h >>> 27) & 1 ? -1 : 1);
    grams++;
  };

  const ok = visitJsonLeaves(text, {
    number(v) {
      if (leaves < SIGNED_LEAVES) {
        const signs = SIGNS[leaves] as number;
        for (let j = 0; j < SKETCH_DIM; j++) num[j] = (num[j] as number) + ((signs >>> j) & 1 ? -v : v);
      }
      leaves++;
    },
    string(s) {
      if (grams >= MAX_GRAMS || s.length === 0) return;
      const bytes = utf8.encode(s);
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i] as number;
        if (b >= 0x41 && b <= 0x5a) bytes[i] = b + 0x20;
      }
      if (bytes.length < 3) {
        addGram(bytes, 0, bytes.length);
        return;
      }
      for (let i = 0; i + 3 <= bytes.length && grams < MAX_GRAMS; i++) addGram(bytes, i, i + 3);
    },
  });
  if (!ok) return undefined;

  const norm = grams > 0 ? Math.sqrt(grams) : 0;
  const x: number[] = new Array<number>(SKETCH_DIM);
  for (let j = 0; j < SKETCH_DIM; j++) {
    const v = (num[j] as number) * 0.25 + (grams > 0 ? (str[j] as number) / norm : 0);
    // `|| 0` turns -0 into 0, so the sketch serializes the same everywhere.
    x[j] = Math.round(v * 1000) / 1000 || 0;
  }
  return x;
}
