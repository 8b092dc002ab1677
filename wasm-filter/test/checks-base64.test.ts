// util/base64.ts: strict decoding rules, size cap before allocation, prefix decode,
// and agreement with Node's Buffer on every canonical encoding.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ChecksWasm, prng } from "./checks-support.js";

let wasm: ChecksWasm;
before(async () => {
  wasm = await ChecksWasm.load();
});

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString("hex"));

// [input, decoded hex or null when invalid]
const TABLE: [string, string | null][] = [
  ["", ""],
  ["TQ==", "4d"],
  ["TQ", "4d"],
  ["TWE=", "4d61"],
  ["TWE", "4d61"],
  ["TWFu", "4d616e"],
  ["TWFuTQ==", "4d616e4d"],
  ["+/+/", "fbffbf"],
  ["AAAA", "000000"],
  ["////", "ffffff"],
  // length 1 mod 4
  ["T", null],
  ["TWFuT", null],
  // padding errors
  ["TQ=", null],
  ["TQ===", null],
  ["T===", null],
  ["====", null],
  ["=", null],
  ["==", null],
  ["TWE==", null],
  ["TQ==TQ==", null], // padding in the middle
  ["TW=u", null],
  ["=TWF", null],
  // non-canonical trailing bits
  ["TR==", null],
  ["TQ=", null],
  ["TWF=", null],
  ["TWG=", null], // G = 6: unused low bits 10
  // alphabet
  ["TW-u", null],
  ["TW_u", null],
  ["TW u", null],
  ["TWFu\n", null],
  ["TWFu\r\nTWFu", null],
  ["\tTWFu", null],
  ["TWFu ", null],
  ["TW.u", null],
  ["TW\0u", null],
  ["TWé=", null],
  ["ＴＷＦｕ", null],
  ["TW%2B", null],
];

describe("base64 decode table", () => {
  for (const [input, want] of TABLE) {
    it(`${JSON.stringify(input)} -> ${want ?? "invalid"}`, () => {
      assert.equal(hex(wasm.b64Decode(input, 1 << 20)), want);
      assert.equal(wasm.b64Valid(input), want !== null);
      if (want !== null) assert.equal(wasm.b64Length(input), want.length / 2);
    });
  }
});

describe("decoded length from the input length alone", () => {
  const rows: [string, number][] = [
    ["", 0],
    ["AA", 1],
    ["AAA", 2],
    ["AAAA", 3],
    ["AA==", 1],
    ["AAA=", 2],
    ["A", -1],
    ["AAAAA", -1],
    ["AA=", -1],
    ["A===", 1], // shape only: two '=' counted; the characters are not checked here
    ["!!!!", 3], // shape only
  ];
  for (const [input, want] of rows) {
    it(`${JSON.stringify(input)} -> ${want}`, () => assert.equal(wasm.b64Length(input), want));
  }
  it("a 7 MB payload is sized without being scanned", () => {
    const big = "A".repeat(7 * 1024 * 1024);
    assert.equal(wasm.b64Length(big), (big.length / 4) * 3);
    assert.equal(wasm.b64Decode(big, 5 * 1024 * 1024), null); // over the cap: refused
  });
});

describe("size cap", () => {
  it("exactly at the cap decodes, one byte over does not", () => {
    const bytes = new Uint8Array(300).map((_, i) => i * 7);
    const s = Buffer.from(bytes).toString("base64");
    assert.equal(hex(wasm.b64Decode(s, 300)), Buffer.from(bytes).toString("hex"));
    assert.equal(wasm.b64Decode(s, 299), null);
    assert.equal(wasm.b64Decode(s, 0), null);
  });
  it("an invalid character far past the cap is never reached when the cap fails", () => {
    assert.equal(wasm.b64Decode(`${"A".repeat(4000)}!!!!`, 10), null);
  });
});

describe("prefix decode", () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff);
  const s = Buffer.from(bytes).toString("base64");
  for (const n of [0, 1, 2, 3, 4, 5, 8, 33, 999, 1000, 5000]) {
    it(`first ${n} bytes`, () => {
      assert.equal(hex(wasm.b64Prefix(s, n)), Buffer.from(bytes.subarray(0, n)).toString("hex"));
    });
  }
  it("does not look past the bytes it needs", () => {
    const broken = `${s.slice(0, 40)}!${s.slice(41)}`;
    assert.equal(hex(wasm.b64Prefix(broken, 24)), Buffer.from(bytes.subarray(0, 24)).toString("hex"));
    assert.equal(wasm.b64Prefix(broken, 33), null);
    assert.equal(wasm.b64Valid(broken), false);
  });
  it("rejects an impossible length", () => {
    assert.equal(wasm.b64Prefix("AAAAA", 2), null);
  });
  it("works on unpadded input", () => {
    assert.equal(hex(wasm.b64Prefix("TWE", 5)), "4d61");
  });
});

describe("agreement with Buffer", () => {
  it("2,000 random byte strings, padded and unpadded", () => {
    const rand = prng(42);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      const padded = Buffer.from(bytes).toString("base64");
      const unpadded = padded.replace(/=+$/, "");
      const want = Buffer.from(bytes).toString("hex");
      assert.equal(hex(wasm.b64Decode(padded, 1 << 20)), want);
      assert.equal(hex(wasm.b64Decode(unpadded, 1 << 20)), want);
      assert.equal(wasm.b64Length(padded), bytes.length);
      const url = Buffer.from(bytes).toString("base64url");
      if (/[-_]/.test(url)) assert.equal(wasm.b64Decode(url, 1 << 20), null, "base64url is rejected");
    }
  });
  it("every single-character corruption is rejected or still canonical", () => {
    const rand = prng(7);
    const bytes = Uint8Array.from({ length: 48 }, () => Math.floor(rand() * 256));
    const s = Buffer.from(bytes).toString("base64");
    for (let pos = 0; pos < s.length; pos++) {
      for (let code = 0; code < 256; code++) {
        const m = s.slice(0, pos) + String.fromCharCode(code) + s.slice(pos + 1);
        const got = wasm.b64Decode(m, 1 << 20);
        if (got === null) continue;
        // accepted: must be exactly what Buffer decodes, and re-encode to the input
        assert.equal(Buffer.from(got).toString("base64"), m);
      }
    }
  });
});
