/** FNV-1a, 32 bits, over `bytes[start, end)`. */
export function fnv1a32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 2166136261;
  for (let i = start; i < end; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}
