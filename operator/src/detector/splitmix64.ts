/** splitmix64 (Steele, Lea, Flood 2014) in u64 wrapping arithmetic: one output for state `k`. */
const MASK64 = (1n << 64n) - 1n;

export function splitmix64(k: bigint): bigint {
  let z = (k + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}
