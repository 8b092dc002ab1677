// The wasm parser and serializer against Node's JSON.parse on generated documents (seeded):
// the same values on thousands of valid documents, the same accept/reject decision on
// mutated ones (except where this library is deliberately stricter), bit-exact numbers, and
// numbers and strings that survive serialize → parse.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { GENERIC_SEED, documentText, int, mutate, numberText, rng } from "./support/json-gen.js";
import { JsonError, JsonWasm, jsonErrorName } from "./support/json-module.js";

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** JSON.parse of UTF-8 bytes, or undefined when Node rejects them (bad UTF-8 included). */
function nodeParse(input: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(strictDecoder.decode(input)) as unknown };
  } catch {
    return undefined;
  }
}

describe("json differential vs JSON.parse", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  it("parses 5000 generated documents to the values JSON.parse gives", () => {
    const r = rng(GENERIC_SEED);
    for (let i = 0; i < 5000; i++) {
      const doc = documentText(r);
      const { error, text } = wasm.roundtrip(doc);
      assert.equal(jsonErrorName(error), "None", `rejected #${i}: ${doc}`);
      assert.deepEqual(JSON.parse(text ?? ""), JSON.parse(doc), `#${i}: ${doc}`);
    }
  });

  it("agrees on accept/reject for 20000 mutated documents", () => {
    const r = rng(GENERIC_SEED + 1);
    let accepted = 0;
    let stricter = 0;
    for (let i = 0; i < 20_000; i++) {
      const input = mutate(r, encoder.encode(documentText(r, 0, 3)));
      const node = nodeParse(input);
      const { error, text } = wasm.roundtrip(input);
      const label = `#${i}: ${Buffer.from(input).toString("latin1")}`;
      if (error === JsonError.None) {
        assert.ok(node, `accepted what JSON.parse rejects ${label}`);
        assert.deepEqual(JSON.parse(text ?? ""), node.value, label);
        accepted++;
        continue;
      }
      assert.notEqual(error, -2, `round-trip mismatch ${label}`);
      if (!node) continue;
      // Node accepted: only the deliberate differences may explain a rejection.
      const source = strictDecoder.decode(input);
      const explained =
        error === JsonError.DuplicateKey ||
        (error === JsonError.NumberOutOfRange && /\d[eE][+]?\d{3}|\d{309}/.test(source)) ||
        (error === JsonError.Malformed && /\\u[dD][89abcdefABCDEF]/.test(source));
      assert.ok(explained, `rejected (${jsonErrorName(error)}) what JSON.parse accepts ${label}`);
      stricter++;
    }
    assert.ok(accepted > 2000, `enough mutants stay valid (${accepted})`);
    assert.ok(stricter < 500, `deliberate differences are rare (${stricter})`);
  });

  it("converts 20000 random number texts to the same f64 bits as JSON.parse", () => {
    const r = rng(GENERIC_SEED + 2);
    for (let i = 0; i < 20_000; i++) {
      const text = numberText(r);
      const want = JSON.parse(text) as number;
      const got = wasm.parseNumber(text);
      if (!Number.isFinite(want)) {
        assert.equal(got.error, JsonError.NumberOutOfRange, text);
        continue;
      }
      assert.equal(got.error, JsonError.None, text);
      assert.ok(Object.is(got.value, want), `${text}: got ${got.value}, want ${want}`);
    }
  });

  it("converts hard numbers exactly (halfway cases, subnormals, long mantissas)", () => {
    const cases = [
      "9007199254740993",
      "9007199254740995",
      "9007199254740993.000000000000000000000000001",
      "2.2250738585072011e-308",
      "2.2250738585072012e-308",
      "2.2250738585072014e-308",
      "4.9406564584124654e-324",
      "2.4703282292062327e-324",
      "2.4703282292062328e-324",
      "1.7976931348623157e308",
      "1.7976931348623158e308",
      "0.1e1",
      "123456789012345678901234567890e-10",
      "1" + "0".repeat(308),
      "0." + "0".repeat(323) + "5",
      "7.2057594037927933e16",
      "1.00000000000000011102230246251565404236316680908203125",
      "1.00000000000000011102230246251565404236316680908203124",
      "1.00000000000000011102230246251565404236316680908203126",
      "3.14159265358979323846264338327950288419716939937510",
      "1e23",
      "8.98846567431158e307",
      "-0.0",
      "0.000000000000000000000000000000000000000000001",
    ];
    for (const text of cases) {
      const got = wasm.parseNumber(text);
      assert.equal(got.error, JsonError.None, text);
      assert.ok(Object.is(got.value, JSON.parse(text) as number), `${text}: got ${got.value}, want ${JSON.parse(text)}`);
    }
  });

  it("serializes 50000 random doubles to text that reads back bit-exactly", () => {
    const r = rng(GENERIC_SEED + 3);
    const view = new DataView(new ArrayBuffer(8));
    let longer = 0;
    for (let i = 0; i < 50_000; i++) {
      view.setUint32(0, int(r, 2 ** 32));
      view.setUint32(4, int(r, 2 ** 32));
      let x = view.getFloat64(0);
      if (i % 3 === 0) x = (r() - 0.5) * 10 ** (int(r, 40) - 20);
      if (i % 7 === 0) x = Math.round(x * 1000) / 1000;
      const text = wasm.serializeNumber(x);
      if (!Number.isFinite(x)) {
        assert.equal(text, "null");
        continue;
      }
      const back = JSON.parse(text) as number;
      assert.ok(Object.is(back, x), `${x} → ${text} → ${back}`);
      if (text.length > String(x).length) longer++;
    }
    // Grisu2 is not always the shortest form; it must be rarely longer than JS's.
    assert.ok(longer < 2500, `longer than shortest in ${longer} of 50000`);
  });

  it("prints integers without a fraction and keeps -0", () => {
    const cases: [number, string][] = [
      [0, "0"],
      [-0, "-0"],
      [1, "1"],
      [-42, "-42"],
      [2 ** 53 - 1, "9007199254740991"],
      [-(2 ** 53 - 1), "-9007199254740991"],
      [1e21, "1e+21"],
      [0.5, "0.5"],
      [NaN, "null"],
      [Infinity, "null"],
      [-Infinity, "null"],
    ];
    for (const [x, want] of cases) assert.equal(wasm.serializeNumber(x), want, String(x));
    assert.equal(JSON.parse(wasm.serializeNumber(2 ** 60)), 2 ** 60);
  });

  it("serializes strings that JSON.parse reads back identically", () => {
    const r = rng(GENERIC_SEED + 4);
    for (let i = 0; i < 5000; i++) {
      let s = "";
      for (let n = int(r, 20); n > 0; n--) {
        const k = int(r, 4);
        s += String.fromCodePoint(k === 0 ? int(r, 0x80) : k === 1 ? int(r, 0xd800) : k === 2 ? 0xe000 + int(r, 0x2000) : 0x10000 + int(r, 0x100000));
      }
      const text = wasm.serializeString(s);
      assert.equal(JSON.parse(text), s, JSON.stringify(s));
    }
  });

  it("escapes exactly what must be escaped", () => {
    assert.equal(wasm.serializeString('a"b\\c/d'), '"a\\"b\\\\c/d"');
    assert.equal(wasm.serializeString("\b\f\n\r\t"), '"\\b\\f\\n\\r\\t"');
    assert.equal(wasm.serializeString("\u0000\u0001\u001f\u007f"), '"\\u0000\\u0001\\u001f\u007f"');
    assert.equal(wasm.serializeString("é中😀\u2028"), '"é中😀\u2028"');
  });

  it("writes lone surrogates of built strings as U+FFFD, so output is always valid", () => {
    assert.equal(wasm.serializeString("a\ud800b"), '"a\ufffdb"');
    assert.equal(wasm.serializeString("\udc00"), '"\ufffd"');
    assert.equal(wasm.serializeString("\ud83d"), '"\ufffd"');
    assert.equal(wasm.serializeString("\ude00\ud83d"), '"\ufffd\ufffd"');
    assert.equal(wasm.serializeString("\ud83d\ude00"), '"😀"');
    assert.equal(strictDecoder.decode(wasm.outputBytes()), '"😀"');
  });

  it("serialization is byte-stable: compact documents print exactly as given", () => {
    const r = rng(GENERIC_SEED + 5);
    for (let i = 0; i < 2000; i++) {
      const compact = JSON.stringify(JSON.parse(documentText(r)));
      // JSON.stringify prints -0 as 0 and big numbers like this library; compare after a parse.
      const { text } = wasm.roundtrip(compact);
      assert.equal(wasm.roundtrip(text ?? "").text, text, compact);
      assert.deepEqual(JSON.parse(text ?? ""), JSON.parse(compact));
    }
  });
});
