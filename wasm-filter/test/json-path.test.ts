// Field paths (compile, select, remove, replace through slots) and the document model's
// accessors and edits, as response hardening and payload checks use them.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { EditOp, EntryCode, JsonWasm } from "./support/json-module.js";

const CHAT = JSON.stringify({
  model: "m",
  messages: [
    { role: "system", content: "be brief" },
    { role: "user", content: [{ type: "text", text: "hi" }, { type: "image_url", image_url: { url: "http://x/a.png" } }] },
    { role: "user", content: "again" },
  ],
  max_tokens: 16,
});
const KSERVE = JSON.stringify({ instances: [{ image_url: "a" }, { image_url: "b" }, { other: 1 }] });
const OIP = JSON.stringify({ outputs: [{ name: "p", data: [0.123456, 0.5, 0.25] }, { name: "q", data: [1, 2] }] });
const RESPONSE = JSON.stringify({
  choices: [
    { index: 0, logprobs: { content: [] }, message: { content: "a" } },
    { index: 1, logprobs: null, message: { content: "b" } },
  ],
  usage: { total_tokens: 3 },
});
const MATRIX = JSON.stringify({ data: [[1, 2, 3], [4, 5], []] });

describe("json path: compile", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  const VALID: [string, number][] = [
    ["max_tokens", 1],
    ["messages[*].content", 3],
    ["instances[0].image_url", 3],
    ["outputs[*].data", 3],
    ["choices[*].logprobs", 3],
    ["a.b.c", 3],
    ["data[*][0]", 3],
    ["data[1][*]", 3],
    ["x[123456789]", 2],
    ["$meta.@type.a-b_c", 3],
    ["[0]", 1],
    ["[*].id", 2],
    ["[*][*]", 2],
    ["A9", 1],
    ["a[0]", 2],
    [Array.from({ length: 64 }, () => "a").join("."), 64],
  ];
  const INVALID = [
    "",
    ".",
    "a.",
    ".a",
    "a..b",
    "a b",
    "a[",
    "a[]",
    "a[*",
    "a[**]",
    "a[-1]",
    "a[01]",
    "a[1234567890]",
    "a[1x]",
    "a]",
    "a.[0]",
    "a.b.[*]",
    "é",
    "a/b",
    "a*",
    "*",
    "a[*]b",
    Array.from({ length: 65 }, () => "a").join("."),
  ];
  for (const [path, steps] of VALID) {
    it(`${path.slice(0, 30)} → ${steps} steps`, () => assert.equal(wasm.compilePath(path), steps));
  }
  for (const path of INVALID) {
    it(`rejects ${JSON.stringify(path.slice(0, 30))}`, () => assert.equal(wasm.compilePath(path), EntryCode.BadPath));
  }
});

describe("json path: select", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  const CASES: [string, string, unknown[]][] = [
    [CHAT, "max_tokens", [16]],
    [CHAT, "model", ["m"]],
    [CHAT, "messages[*].content", ["be brief", [{ type: "text", text: "hi" }, { type: "image_url", image_url: { url: "http://x/a.png" } }], "again"]],
    [CHAT, "messages[*].content[*].image_url.url", ["http://x/a.png"]],
    [CHAT, "messages[1].content[0].text", ["hi"]],
    [CHAT, "messages[3].content", []],
    [CHAT, "messages[*].missing", []],
    [CHAT, "missing[*].x", []],
    [CHAT, "model[0]", []],
    [CHAT, "model.x", []],
    [CHAT, "messages.role", []],
    [KSERVE, "instances[0].image_url", ["a"]],
    [KSERVE, "instances[*].image_url", ["a", "b"]],
    [OIP, "outputs[*].data", [[0.123456, 0.5, 0.25], [1, 2]]],
    [OIP, "outputs[*].data[*]", [0.123456, 0.5, 0.25, 1, 2]],
    [OIP, "outputs[1].name", ["q"]],
    [RESPONSE, "choices[*].logprobs", [{ content: [] }, null]],
    [RESPONSE, "usage.total_tokens", [3]],
    [MATRIX, "data[*][0]", [1, 4]],
    [MATRIX, "data[1][*]", [4, 5]],
    ["[1,[2,3]]", "[1][1]", [3]],
    ['[{"id":1},{"id":2}]', "[*].id", [1, 2]],
    ['{"a":{"*":1}}', "a.b", []],
  ];
  for (const [doc, path, want] of CASES) {
    it(`${path} in ${doc.slice(0, 24)}…`, () => {
      const { count, matches } = wasm.select(doc, path);
      assert.equal(count, want.length);
      assert.deepEqual(JSON.parse(matches ?? ""), want);
    });
  }
});

describe("json path: remove and replace", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  it("removes keys under wildcards, keeping the order of the rest", () => {
    const { count, doc } = wasm.remove(RESPONSE, "choices[*].logprobs");
    assert.equal(count, 2);
    assert.equal(doc, '{"choices":[{"index":0,"message":{"content":"a"}},{"index":1,"message":{"content":"b"}}],"usage":{"total_tokens":3}}');
  });

  it("removes one array item", () => {
    assert.deepEqual(wasm.remove(MATRIX, "data[0][1]"), { count: 1, doc: '{"data":[[1,3],[4,5],[]]}' });
    assert.deepEqual(wasm.remove(MATRIX, "data[1]"), { count: 1, doc: '{"data":[[1,2,3],[]]}' });
  });

  it("a final [*] empties the arrays it reaches", () => {
    assert.deepEqual(wasm.remove(MATRIX, "data[*][*]"), { count: 5, doc: '{"data":[[],[],[]]}' });
  });

  it("a top-level key", () => {
    assert.deepEqual(wasm.remove(CHAT, "max_tokens").count, 1);
    assert.equal(JSON.parse(wasm.remove(CHAT, "max_tokens").doc ?? "").max_tokens, undefined);
  });

  it("missing targets remove nothing and leave the document unchanged", () => {
    for (const path of ["nope", "messages[9]", "messages[*].nope", "model[*]", "data[5][0]"]) {
      assert.deepEqual(wasm.remove(CHAT, path), { count: 0, doc: CHAT }, path);
    }
  });

  it("replaces every match through slots (top-k style, rounding style)", () => {
    assert.deepEqual(wasm.replace(OIP, "outputs[*].data[*]", "0"), {
      count: 5,
      doc: '{"outputs":[{"name":"p","data":[0,0,0]},{"name":"q","data":[0,0]}]}',
    });
    assert.deepEqual(wasm.replace(RESPONSE, "choices[*].logprobs", '"redacted"').count, 2);
    assert.deepEqual(wasm.replace(CHAT, "messages[0]", "null").doc, CHAT.replace('{"role":"system","content":"be brief"}', "null"));
    assert.deepEqual(wasm.replace(CHAT, "nope", "1"), { count: 0, doc: CHAT });
  });

  it("reports a bad path or document as a value", () => {
    assert.equal(wasm.remove(CHAT, "a..b").count, EntryCode.BadPath);
    assert.equal(wasm.select("[1,", "a").count, EntryCode.BadDocument);
  });
});

describe("json value: accessors and edits", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  it("typed reads with fallbacks", () => {
    const doc = '{"s":"x","n":2.5,"b":true,"a":[1,2],"o":{"k":1},"z":null}';
    assert.deepEqual(wasm.describe(doc, "s"), { kind: 3, string: "x", number: -1, bool: false, size: 0, has: true });
    assert.deepEqual(wasm.describe(doc, "n"), { kind: 2, string: "fallback", number: 2.5, bool: false, size: 0, has: true });
    assert.deepEqual(wasm.describe(doc, "b"), { kind: 1, string: "fallback", number: -1, bool: true, size: 0, has: true });
    assert.deepEqual(wasm.describe(doc, "a"), { kind: 4, string: "fallback", number: -1, bool: false, size: 2, has: true });
    assert.deepEqual(wasm.describe(doc, "o"), { kind: 5, string: "fallback", number: -1, bool: false, size: 1, has: true });
    assert.deepEqual(wasm.describe(doc, "z"), { kind: 0, string: "fallback", number: -1, bool: false, size: 0, has: true });
    assert.deepEqual(wasm.describe(doc, "missing"), { kind: -1, string: "fallback", number: -1, bool: false, size: -1, has: false });
    assert.deepEqual(wasm.describe("[1]", "s"), { kind: -1, string: "fallback", number: -1, bool: false, size: -1, has: false });
  });

  const EDITS: [string, number, string, string, string, number, number, string][] = [
    ["set replaces in place", EditOp.Set, '{"a":1,"b":2}', "a", "[3]", 0, 1, '{"a":[3],"b":2}'],
    ["set appends a new key", EditOp.Set, '{"a":1}', "c", '"x"', 0, 1, '{"a":1,"c":"x"}'],
    ["set on an array fails", EditOp.Set, "[1]", "a", "1", 0, 0, "[1]"],
    ["remove keeps order", EditOp.Remove, '{"a":1,"b":2,"c":3}', "b", "", 0, 1, '{"a":1,"c":3}'],
    ["remove a missing key", EditOp.Remove, '{"a":1}', "b", "", 0, 0, '{"a":1}'],
    ["push", EditOp.Push, "[1]", "", "{}", 0, 1, "[1,{}]"],
    ["push on an object fails", EditOp.Push, "{}", "", "1", 0, 0, "{}"],
    ["truncate an array (top-k)", EditOp.Truncate, "[5,4,3,2]", "", "", 2, 1, "[5,4]"],
    ["truncate an object", EditOp.Truncate, '{"a":1,"b":2}', "", "", 1, 1, '{"a":1}'],
    ["truncate beyond the size", EditOp.Truncate, "[1]", "", "", 5, 1, "[1]"],
    ["truncate a scalar fails", EditOp.Truncate, "1", "", "", 0, 0, "1"],
    ["setAt replaces an item", EditOp.SetAt, "[1,2,3]", "", "0.5", 1, 1, "[1,0.5,3]"],
    ["setAt out of range", EditOp.SetAt, "[1]", "", "0", 1, 0, "[1]"],
    ["setAt negative", EditOp.SetAt, "[1]", "", "0", -1, 0, "[1]"],
    ["removeIndex", EditOp.RemoveIndex, "[1,2,3]", "", "", 0, 1, "[2,3]"],
    ["removeIndex of an object entry", EditOp.RemoveIndex, '{"a":1,"b":2}', "", "", 1, 1, '{"a":1}'],
    ["removeIndex out of range", EditOp.RemoveIndex, "[]", "", "", 0, 0, "[]"],
  ];
  for (const [name, op, doc, key, value, arg, result, want] of EDITS) {
    it(name, () => assert.deepEqual(wasm.edit(op, doc, key, value, arg), { result, doc: want }));
  }

  it("after set, a duplicate key cannot appear (the output parses)", () => {
    const { doc } = wasm.edit(EditOp.Set, '{"a":1,"b":2}', "b", "3");
    assert.equal(wasm.roundtrip(doc).error, 0);
  });
});
