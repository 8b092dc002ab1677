import assert from "node:assert/strict";
import { test } from "node:test";
import { fnv1a32 } from "./fnv1a.js";
import { Prng } from "./prng.js";
import { gramHash, MAX_GRAMS, SIGNED_LEAVES, SKETCH_DIM, sketchOf } from "./sketch.js";
import { splitmix64 } from "./splitmix64.js";

/** splitmix64 again, on two u32 halves with 16-bit partial products: an independent implementation. */
function splitmix64Halves(k: number): [hi: number, lo: number] {
  const add = (a: [number, number], b: [number, number]): [number, number] => {
    const lo = a[1] + b[1];
    return [(a[0] + b[0] + (lo > 0xffffffff ? 1 : 0)) >>> 0, lo >>> 0];
  };
  const mul = (a: [number, number], b: [number, number]): [number, number] => {
    // Low 64 bits of a·b from 16-bit limbs.
    const al = [a[1] & 0xffff, a[1] >>> 16, a[0] & 0xffff, a[0] >>> 16];
    const bl = [b[1] & 0xffff, b[1] >>> 16, b[0] & 0xffff, b[0] >>> 16];
    const out = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      let carry = 0;
      for (let j = 0; i + j < 4; j++) {
        const t = (out[i + j] as number) + (al[i] as number) * (bl[j] as number) + carry;
        out[i + j] = t % 0x10000;
        carry = Math.floor(t / 0x10000);
      }
    }
    return [(((out[3] as number) << 16) | (out[2] as number)) >>> 0, (((out[1] as number) << 16) | (out[0] as number)) >>> 0];
  };
  const xorShift = (a: [number, number], s: number): [number, number] => {
    const lo = s >= 32 ? a[0] >>> (s - 32) : ((a[1] >>> s) | (a[0] << (32 - s))) >>> 0;
    const hi = s >= 32 ? 0 : a[0] >>> s;
    return [(a[0] ^ hi) >>> 0, (a[1] ^ lo) >>> 0];
  };
  let z = add([0, k >>> 0], [0x9e3779b9, 0x7f4a7c15]);
  z = mul(xorShift(z, 30), [0xbf58476d, 0x1ce4e5b9]);
  z = mul(xorShift(z, 27), [0x94d049bb, 0x133111eb]);
  return xorShift(z, 31);
}

test("splitmix64 matches its published first output and an independent two-halves implementation", () => {
  // The first output of SplitMix64 seeded with 0 (Steele, Lea, Flood; also Java's SplittableRandom).
  assert.equal(splitmix64(0n), 0xe220a8397b1dcdafn);
  for (let k = 0; k < SIGNED_LEAVES; k += 7) {
    const [hi, lo] = splitmix64Halves(k);
    assert.equal(splitmix64(BigInt(k)), (BigInt(hi) << 32n) | BigInt(lo), `k=${k}`);
  }
});

test("FNV-1a 32 matches the reference test vectors", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  assert.equal(fnv1a32(bytes("")), 0x811c9dc5);
  assert.equal(fnv1a32(bytes("a")), 0xe40c292c);
  assert.equal(fnv1a32(bytes("foobar")), 0xbf9cf968);
  assert.equal(fnv1a32(bytes("xfoobarx"), 1, 7), 0xbf9cf968, "a sub-range hashes like the slice");
});

test("a single number projects with the signs of splitmix64(0), times 0.25", () => {
  // Low 16 bits of 0xe220a8397b1dcdaf are 0xcdaf: bit j set means minus.
  const signs = [-1, -1, -1, -1, 1, -1, 1, -1, -1, 1, -1, -1, 1, 1, -1, -1];
  assert.deepEqual(
    sketchOf('{"instances": [[2]]}'),
    signs.map((s) => s * 0.5),
  );
});

test("a short string is one gram, a longer one its byte trigrams, case-folded, normalized by sqrt(T)", () => {
  // Independent of gramHash: the bytes as one big-endian number, times the golden-ratio constant, mod 2^32.
  const gram = (s: string) => {
    const g = [...new TextEncoder().encode(s)].reduce((acc, b) => acc * 256 + b, 0);
    const h = Number((BigInt(g) * 0x9e3779b1n) % 0x100000000n);
    const x = new Array<number>(SKETCH_DIM).fill(0);
    x[h >>> 28] = (h >>> 27) & 1 ? -1 : 1;
    return x;
  };
  assert.deepEqual(sketchOf('"ab"'), gram("ab"));
  assert.deepEqual(sketchOf('"é"'), gram("é"), "two UTF-8 bytes: one gram");
  const sum = gram("abc").map((v, j) => (v + (gram("bcd")[j] as number)) / Math.sqrt(2));
  assert.deepEqual(
    sketchOf('"aBcD"'),
    sum.map((v) => Math.round(v * 1000) / 1000),
  );
  assert.deepEqual(sketchOf('""'), new Array<number>(SKETCH_DIM).fill(0), "an empty string adds no gram");
  assert.equal(gramHash(new Uint8Array([0x61, 0x62, 0x63]), 0, 3), Number((0x616263n * 0x9e3779b1n) % 0x100000000n));
  // Bucket and sign come from the hash's top bits, which every bit of every byte reaches.
  assert.notDeepEqual(sketchOf('"abc"'), sketchOf('"qrs"'), "letters 16 apart land apart");
  assert.notDeepEqual(sketchOf('"123"'), sketchOf('"qrs"'), "digits do not collide with letters");
});

test("leaves are walked in document order; keys, booleans and null do not count", () => {
  assert.deepEqual(sketchOf('{"2": 1, "1": 2}'), sketchOf("[1, 2]"), "integer-like keys are not reordered");
  assert.notDeepEqual(sketchOf("[2, 1]"), sketchOf("[1, 2]"));
  assert.deepEqual(sketchOf('{"x": 1}'), sketchOf('{"y": 1}'));
  assert.deepEqual(sketchOf('[true, null, {"k": false}, 1]'), sketchOf("[1]"));
  assert.deepEqual(sketchOf('{"a": [1, {"b": "xyz"}], "c": 3}'), sketchOf('[1, "xyz", 3]'));
});

test("numbers and text add up, and each coordinate is rounded to 3 decimals", () => {
  const x = sketchOf('[0.0001234, "hello"]') as number[];
  const text = sketchOf('"hello"') as number[];
  assert.deepEqual(x, text, "0.0001234 × 0.25 rounds away");
  for (const v of sketchOf("[1.23456, 7.891011]") as number[]) {
    assert.equal(v, Math.round(v * 1000) / 1000);
    assert.ok(!Object.is(v, -0), "never -0");
  }
});

test("numeric leaves beyond 4096 are counted but do not contribute; text stops at 65536 grams", () => {
  const many = Array.from({ length: SIGNED_LEAVES }, (_, i) => (i % 7) - 3);
  assert.deepEqual(sketchOf(JSON.stringify([...many, 1e6, 5])), sketchOf(JSON.stringify(many)));
  const long = "a".repeat(MAX_GRAMS + 2);
  assert.deepEqual(sketchOf(JSON.stringify([long, "zzz"])), sketchOf(JSON.stringify([long])));
});

test("what the filter's parser refuses has no sketch", () => {
  const refused = ["", " ", "{", "[1,]", "[01]", '{"a": 1, "a": 2}', '{"a": 1, "\\u0061": 2}', "1e999", "NaN", "[1] x", "\ufeff[1]", '"\\ud800"', "'a'", '"\t"', "[1 2]"];
  for (const body of refused) assert.equal(sketchOf(body), undefined, JSON.stringify(body));
  assert.equal(sketchOf(new Uint8Array([0x5b, 0xff, 0x5d])), undefined, "invalid UTF-8");
  assert.deepEqual(sketchOf(new TextEncoder().encode('["é", 1]')), sketchOf('["é", 1]'), "bytes and text agree");
  assert.notEqual(sketchOf(" 1 "), undefined, "surrounding whitespace and scalars at the top level are fine");
  assert.notEqual(sketchOf('"\\ud83d\\ude00"'), undefined, "an escaped surrogate pair is fine");
});

test("the projection preserves distances on average (Johnson-Lindenstrauss with unit scale)", () => {
  const rng = new Prng(3);
  let ratio = 0;
  const trials = 200;
  for (let t = 0; t < trials; t++) {
    const a = Array.from({ length: 12 }, () => rng.normal() * 10);
    const b = Array.from({ length: 12 }, () => rng.normal() * 10);
    const sa = sketchOf(JSON.stringify(a)) as number[];
    const sb = sketchOf(JSON.stringify(b)) as number[];
    const d2 = a.reduce((s, v, i) => s + (v - (b[i] as number)) ** 2, 0);
    const s2 = sa.reduce((s, v, i) => s + (v - (sb[i] as number)) ** 2, 0);
    ratio += s2 / d2;
  }
  ratio /= trials;
  assert.ok(ratio > 0.85 && ratio < 1.15, `mean squared-distance ratio ${ratio}`);
});
