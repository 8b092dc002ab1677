// The JSON parser against a JSONTestSuite-style table (y_: must parse to what JSON.parse
// gives; n_: must be rejected with a given error), its limits exactly at and one past each
// bound, error offsets, and hostile nesting.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { DEFAULT_LIMITS, GENEROUS_LIMITS, JsonError, JsonWasm, jsonErrorName } from "./support/json-module.js";
import type { Limits } from "./support/json-module.js";

type Doc = string | number[];
const bytes = (doc: Doc): Uint8Array => (typeof doc === "string" ? new TextEncoder().encode(doc) : Uint8Array.from(doc));
const quoted = (...inner: number[]): number[] => [0x22, ...inner, 0x22];

const manyKeys = (n: number, dup?: string): string =>
  "{" + Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",") + (dup ? `,"${dup}":0` : "") + "}";

// Valid documents: each must parse, and its serialization must mean what JSON.parse says.
const VALID: [string, Doc][] = [
  ["y_true", "true"],
  ["y_false", "false"],
  ["y_null", "null"],
  ["y_zero", "0"],
  ["y_negative_zero", "-0"],
  ["y_negative_int", "-123"],
  ["y_fraction", "1.5"],
  ["y_exp", "1e10"],
  ["y_exp_upper", "1E10"],
  ["y_exp_plus", "1e+2"],
  ["y_exp_minus", "1e-2"],
  ["y_fraction_exp", "-1.25e-3"],
  ["y_zero_exp", "0e0"],
  ["y_zero_fraction_exp", "0.0E+00"],
  ["y_big_int", "12345678901234567890"],
  ["y_2_pow_53_plus_1", "9007199254740993"],
  ["y_many_digits", "0.1000000000000000055511151231257827021181583404541015625"],
  ["y_point_one", "0.1"],
  ["y_17_digits", "0.12345678901234567"],
  ["y_min_subnormal", "5e-324"],
  ["y_below_min_subnormal_rounds_up", "3e-324"],
  ["y_max_double", "1.7976931348623157e308"],
  ["y_max_double_long", "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"],
  ["y_underflow_to_zero", "1e-400"],
  ["y_negative_underflow", "-1e-400"],
  ["y_exp_huge_zero_mantissa", "0e999999999"],
  ["y_1e308", "1e308"],
  ["y_1e-7", "1e-7"],
  ["y_halfway_even", "9007199254740993.0"],
  ["y_string_empty", '""'],
  ["y_string_ascii", '"hello, world"'],
  ["y_string_short_escapes", '"\\"\\\\\\/\\b\\f\\n\\r\\t"'],
  ["y_string_u_escape", '"\\u0041"'],
  ["y_string_u_upper_hex", '"\\u00E9\\u00e9"'],
  ["y_string_u_0000", '"a\\u0000b"'],
  ["y_string_surrogate_pair", '"\\ud83d\\ude00"'],
  ["y_string_surrogate_pair_upper", '"\\uD834\\uDD1E"'],
  ["y_string_u_fffe", '"\\uFFFE\\uFFFF"'],
  ["y_string_u_2028", '"\\u2028\\u2029"'],
  ["y_string_raw_2_byte", '"é"'],
  ["y_string_raw_3_byte", '"中文"'],
  ["y_string_raw_4_byte", '"😀𝄞"'],
  ["y_string_raw_u_ffff", quoted(0xef, 0xbf, 0xbf)],
  ["y_string_raw_u_10ffff", quoted(0xf4, 0x8f, 0xbf, 0xbf)],
  ["y_string_raw_u_0080", quoted(0xc2, 0x80)],
  ["y_string_raw_u_0800", quoted(0xe0, 0xa0, 0x80)],
  ["y_string_raw_u_d7ff", quoted(0xed, 0x9f, 0xbf)],
  ["y_string_raw_u_e000", quoted(0xee, 0x80, 0x80)],
  ["y_string_raw_u_10000", quoted(0xf0, 0x90, 0x80, 0x80)],
  ["y_string_del", quoted(0x7f)],
  ["y_string_raw_2028", '"\u2028"'],
  ["y_string_escaped_slash", '"a\\/b"'],
  ["y_string_mixed", '"a\\u00e9é\\n😀\\ud83d\\ude00z"'],
  ["y_array_empty", "[]"],
  ["y_array_ws", "[ ]"],
  ["y_array_nested", "[[[]]]"],
  ["y_array_mixed", '[1,"a",null,true,false,{},[]]'],
  ["y_array_ws_everywhere", " [ 1 , 2 , [ 3 ] ] "],
  ["y_object_empty", "{}"],
  ["y_object_ws", "{ }"],
  ["y_object_simple", '{"a":1}'],
  ["y_object_nested", '{"a":{"b":{"c":[1,{"d":null}]}}}'],
  ["y_object_empty_key", '{"":1}'],
  ["y_object_case_keys", '{"a":1,"A":2}'],
  ["y_object_escaped_keys_differ", '{"a":1,"\\u0062":2}'],
  ["y_object_key_order", '{"z":1,"a":2,"m":3}'],
  ["y_object_many_keys", manyKeys(40)],
  ["y_object_ws_everywhere", ' { "a" : 1 , "b" : [ ] } '],
  ["y_ws_all_kinds", " \t\n\r[1]\r\n\t "],
  ["y_top_string", '"top"'],
  ["y_top_number_ws", " 42 "],
  ["y_chat_request", '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"max_tokens":16,"temperature":0.7}'],
  ["y_kserve_v1", '{"instances":[[1.0,2.0],[3.5,-4e-3]]}'],
  ["y_oip_v2", '{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[0.5,1.5]}]}'],
];

// Invalid documents and the error each must produce.
const INVALID_TABLE: [string, Doc, number?][] = [
  ["n_empty", "", JsonError.Malformed],
  ["n_ws_only", " \n", JsonError.Malformed],
  ["n_bom", "\ufeff{}", JsonError.Malformed],
  ["n_array_trailing_comma", "[1,]", JsonError.Malformed],
  ["n_object_trailing_comma", '{"a":1,}', JsonError.Malformed],
  ["n_array_leading_comma", "[,1]", JsonError.Malformed],
  ["n_array_double_comma", "[1,,2]", JsonError.Malformed],
  ["n_array_missing_comma", "[1 2]", JsonError.Malformed],
  ["n_array_only_comma", "[,]", JsonError.Malformed],
  ["n_array_unclosed", "[1", JsonError.Malformed],
  ["n_array_unclosed_comma", "[1,", JsonError.Malformed],
  ["n_array_unclosed_nested", "[[]", JsonError.Malformed],
  ["n_array_extra_close", "[]]", JsonError.Malformed],
  ["n_array_colon", '["a":1]', JsonError.Malformed],
  ["n_array_mismatched_close", "[}", JsonError.Malformed],
  ["n_object_unclosed", '{"a":1', JsonError.Malformed],
  ["n_object_unclosed_after_key", '{"a"', JsonError.Malformed],
  ["n_object_key_unquoted", "{a:1}", JsonError.Malformed],
  ["n_object_key_number", "{1:1}", JsonError.Malformed],
  ["n_object_key_single_quotes", "{'a':1}", JsonError.Malformed],
  ["n_object_missing_colon", '{"a" 1}', JsonError.Malformed],
  ["n_object_double_colon", '{"a"::1}', JsonError.Malformed],
  ["n_object_missing_value", '{"a":}', JsonError.Malformed],
  ["n_object_comma_for_colon", '{"a",1}', JsonError.Malformed],
  ["n_object_empty_key_no_quotes", "{:1}", JsonError.Malformed],
  ["n_object_mismatched_close", '{"a":1]', JsonError.Malformed],
  ["n_object_leading_comma", '{,"a":1}', JsonError.Malformed],
  ["n_object_key_is_object", '{{}:1}', JsonError.Malformed],
  ["n_two_values", "1 2", JsonError.Malformed],
  ["n_two_objects", "{}{}", JsonError.Malformed],
  ["n_garbage_after", "{}x", JsonError.Malformed],
  ["n_nul_after", "[]\u0000", JsonError.Malformed],
  ["n_nan", "NaN", JsonError.Malformed],
  ["n_infinity", "Infinity", JsonError.Malformed],
  ["n_minus_infinity", "-Infinity", JsonError.Malformed],
  ["n_plus_sign", "+1", JsonError.Malformed],
  ["n_leading_zero", "01", JsonError.Malformed],
  ["n_negative_leading_zero", "-01", JsonError.Malformed],
  ["n_leading_zeros_fraction", "00.5", JsonError.Malformed],
  ["n_dot_start", ".5", JsonError.Malformed],
  ["n_dot_end", "1.", JsonError.Malformed],
  ["n_dot_exp", "1.e1", JsonError.Malformed],
  ["n_exp_empty", "1e", JsonError.Malformed],
  ["n_exp_sign_only", "1e+", JsonError.Malformed],
  ["n_exp_fraction", "1e1.5", JsonError.Malformed],
  ["n_minus_only", "-", JsonError.Malformed],
  ["n_minus_space", "- 1", JsonError.Malformed],
  ["n_double_minus", "--1", JsonError.Malformed],
  ["n_hex_number", "0x10", JsonError.Malformed],
  ["n_number_in_array_with_space", "[1 .5]", JsonError.Malformed],
  ["n_true_caps", "True", JsonError.Malformed],
  ["n_truncated_true", "tru", JsonError.Malformed],
  ["n_truncated_false", "fals", JsonError.Malformed],
  ["n_truncated_null", "nul", JsonError.Malformed],
  ["n_null_garbage", "nullx", JsonError.Malformed],
  ["n_undefined", "undefined", JsonError.Malformed],
  ["n_line_comment", "[1]//c", JsonError.Malformed],
  ["n_block_comment", "/**/[]", JsonError.Malformed],
  ["n_string_unclosed", '"abc', JsonError.Malformed],
  ["n_string_single_quotes", "'a'", JsonError.Malformed],
  ["n_string_raw_newline", '"a\nb"', JsonError.Malformed],
  ["n_string_raw_tab", '"a\tb"', JsonError.Malformed],
  ["n_string_raw_nul", quoted(0x61, 0x00)],
  ["n_string_bad_escape", '"\\x41"', JsonError.Malformed],
  ["n_string_escape_upper_u", '"\\U0041"', JsonError.Malformed],
  ["n_string_escape_apostrophe", '"\\\'"', JsonError.Malformed],
  ["n_string_escaped_newline", '"\\\n"', JsonError.Malformed],
  ["n_string_short_u", '"\\u12"', JsonError.Malformed],
  ["n_string_bad_hex", '"\\u12G4"', JsonError.Malformed],
  ["n_string_backslash_at_end", '"\\', JsonError.Malformed],
  ["n_string_lone_high_surrogate", '"\\ud800"', JsonError.Malformed],
  ["n_string_lone_low_surrogate", '"\\udc00"', JsonError.Malformed],
  ["n_string_high_then_char", '"\\ud800a"', JsonError.Malformed],
  ["n_string_high_then_short_escape", '"\\ud800\\n"', JsonError.Malformed],
  ["n_string_high_high", '"\\ud800\\ud800"', JsonError.Malformed],
  ["n_string_reversed_pair", '"\\ude00\\ud83d"', JsonError.Malformed],
  ["n_string_high_at_end", '"\\ud83d', JsonError.Malformed],
  ["n_utf8_overlong_2", quoted(0xc0, 0xaf)],
  ["n_utf8_overlong_2_c1", quoted(0xc1, 0xbf)],
  ["n_utf8_overlong_3", quoted(0xe0, 0x80, 0xaf)],
  ["n_utf8_overlong_4", quoted(0xf0, 0x80, 0x80, 0xaf)],
  ["n_utf8_surrogate_d800", quoted(0xed, 0xa0, 0x80)],
  ["n_utf8_surrogate_dfff", quoted(0xed, 0xbf, 0xbf)],
  ["n_utf8_above_10ffff", quoted(0xf4, 0x90, 0x80, 0x80)],
  ["n_utf8_f5_lead", quoted(0xf5, 0x80, 0x80, 0x80)],
  ["n_utf8_ff", quoted(0xff)],
  ["n_utf8_lone_continuation", quoted(0x80)],
  ["n_utf8_truncated_2", quoted(0xc3)],
  ["n_utf8_truncated_3", quoted(0xe2, 0x82)],
  ["n_utf8_truncated_4", quoted(0xf0, 0x9f, 0x98)],
  ["n_utf8_bad_second_byte", quoted(0xc3, 0x28)],
  ["n_utf8_bad_third_byte", quoted(0xe2, 0x82, 0x28)],
  ["n_utf8_bad_fourth_byte", quoted(0xf0, 0x9f, 0x98, 0x28)],
  ["n_utf8_truncated_at_eof", [0x22, 0xe2]],
  ["n_non_ascii_outside_string", [0x5b, 0xc3, 0xa9, 0x5d]],
  ["n_nbsp_whitespace", "\u00a0[]", JsonError.Malformed],
  ["n_vertical_tab_whitespace", "\u000b[]", JsonError.Malformed],
  ["n_form_feed_whitespace", "\u000c[]", JsonError.Malformed],
  ["n_line_separator_whitespace", "\u2028[]", JsonError.Malformed],
  ["n_nul_in_array", [0x5b, 0x00, 0x5d]],
  ["n_duplicate_key", '{"a":1,"a":2}', JsonError.DuplicateKey],
  ["n_duplicate_key_escaped", '{"a":1,"\\u0061":2}', JsonError.DuplicateKey],
  ["n_duplicate_key_nested", '{"x":{"b":[],"b":{}}}', JsonError.DuplicateKey],
  ["n_duplicate_empty_key", '{"":1,"":1}', JsonError.DuplicateKey],
  ["n_duplicate_key_hashed", manyKeys(40, "k3"), JsonError.DuplicateKey],
  ["n_duplicate_key_past_threshold", manyKeys(16, "k15"), JsonError.DuplicateKey],
  ["n_number_overflow", "1e309", JsonError.NumberOutOfRange],
  ["n_number_negative_overflow", "-1e400", JsonError.NumberOutOfRange],
  ["n_number_overflow_digits", "1" + "0".repeat(400), JsonError.NumberOutOfRange],
  ["n_number_just_over_max", "1.7976931348623159e308", JsonError.NumberOutOfRange],
  ["n_number_huge_exponent", "1e99999999999999999999", JsonError.NumberOutOfRange],
  ["n_number_overflow_in_array", "[1,2e400]", JsonError.NumberOutOfRange],
];
const INVALID: [string, Doc, number][] = INVALID_TABLE.map(([name, doc, error]) => [name, doc, error ?? JsonError.Malformed]);

describe("json parse: y_/n_ table", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  it("has at least 100 cases", () => {
    assert.ok(VALID.length + INVALID.length >= 180, `${VALID.length + INVALID.length} cases`);
  });

  for (const [name, doc] of VALID) {
    it(name, () => {
      const input = bytes(doc);
      const { error, text } = wasm.roundtrip(input);
      assert.equal(jsonErrorName(error), "None");
      const want: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input));
      assert.deepEqual(JSON.parse(text ?? ""), want);
      // -0 survives: deepEqual alone uses Object.is for numbers, checked explicitly here.
      if (typeof want === "number") assert.ok(Object.is(JSON.parse(text ?? "") as number, want), `${text} vs ${want}`);
    });
  }

  for (const [name, doc, error] of INVALID) {
    it(`${name} → ${jsonErrorName(error)}`, () => {
      assert.equal(jsonErrorName(wasm.parse(bytes(doc), GENEROUS_LIMITS).error), jsonErrorName(error));
    });
  }
});

describe("json parse: error offsets", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  const CASES: [string, number, number][] = [
    ["[1,]", JsonError.Malformed, 3],
    ["  x", JsonError.Malformed, 2],
    ["[1] 2", JsonError.Malformed, 4],
    ['{"a":1,"a":2}', JsonError.DuplicateKey, 7],
    ["[1, 1e999]", JsonError.NumberOutOfRange, 4],
    ['["ok", "\\q"]', JsonError.Malformed, 8],
    ["", JsonError.Malformed, 0],
  ];
  for (const [doc, error, offset] of CASES) {
    it(`${JSON.stringify(doc)} fails at ${offset}`, () => {
      assert.deepEqual(wasm.parse(doc, GENEROUS_LIMITS), { error, offset });
    });
  }

  it("reports the input length on success", () => {
    assert.deepEqual(wasm.parse(' {"a":[1]} '), { error: JsonError.None, offset: 11 });
  });
});

describe("json parse: limits at and one past each bound", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });
  const limits = (over: Partial<Limits>): Limits => ({ ...GENEROUS_LIMITS, ...over });
  const check = (doc: string, over: Partial<Limits>, want: number) =>
    assert.equal(jsonErrorName(wasm.parse(doc, limits(over)).error), jsonErrorName(want), `${doc.slice(0, 40)} ${JSON.stringify(over)}`);

  it("maxDepth", () => {
    for (const depth of [1, 2, 5, 64]) {
      check("[".repeat(depth) + "]".repeat(depth), { maxDepth: depth }, JsonError.None);
      check("[".repeat(depth + 1) + "]".repeat(depth + 1), { maxDepth: depth }, JsonError.TooDeep);
      const objects = '{"a":'.repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
      check(objects, { maxDepth: depth }, JsonError.None);
      check(`[${objects}]`, { maxDepth: depth }, JsonError.TooDeep);
    }
    check("1", { maxDepth: 0 }, JsonError.None);
    check('"s"', { maxDepth: 0 }, JsonError.None);
    check("[]", { maxDepth: 0 }, JsonError.TooDeep);
    check("{}", { maxDepth: 0 }, JsonError.TooDeep);
  });

  it("maxStringLength counts decoded UTF-8 bytes, for values and keys", () => {
    const cases: [string, number][] = [
      ['"abcd"', 4],
      ['"é中"', 5],
      ['"😀"', 4],
      ['"\\u00e9\\n"', 3],
      ['"\\ud83d\\ude00"', 4],
      ['"\\u4e2d"', 3],
      ['""', 0],
    ];
    for (const [str, length] of cases) {
      check(str, { maxStringLength: length }, JsonError.None);
      check(`{${str}:1}`, { maxStringLength: length }, JsonError.None);
      if (length > 0) {
        check(str, { maxStringLength: length - 1 }, JsonError.StringTooLong);
        check(`{${str}:1}`, { maxStringLength: length - 1 }, JsonError.StringTooLong);
      }
    }
    check('"' + "x".repeat(100_000) + '"', { maxStringLength: 100_000 }, JsonError.None);
    check('"' + "x".repeat(100_001) + '"', { maxStringLength: 100_000 }, JsonError.StringTooLong);
  });

  it("maxArrayLength", () => {
    for (const n of [0, 1, 2, 10, 1000]) {
      const arr = (k: number) => "[" + Array.from({ length: k }, (_, i) => String(i)).join(",") + "]";
      check(arr(n), { maxArrayLength: n }, JsonError.None);
      check(arr(n + 1), { maxArrayLength: n }, JsonError.ArrayTooLong);
      check(`{"x":[${arr(n)}]}`, { maxArrayLength: Math.max(n, 1) }, JsonError.None);
    }
    check("[[1,2],[3]]", { maxArrayLength: 2 }, JsonError.None);
    check("[[1,2,3],[3]]", { maxArrayLength: 2 }, JsonError.ArrayTooLong);
  });

  it("maxObjectKeys (linear and hashed duplicate checks alike)", () => {
    for (const n of [0, 1, 2, 15, 16, 17, 100]) {
      check(manyKeys(n), { maxObjectKeys: n }, JsonError.None);
      check(manyKeys(n + 1), { maxObjectKeys: n }, JsonError.TooManyKeys);
    }
    check('{"a":{"b":1,"c":2},"d":3}', { maxObjectKeys: 2 }, JsonError.None);
    check('{"a":{"b":1,"c":2,"e":3},"d":3}', { maxObjectKeys: 2 }, JsonError.TooManyKeys);
  });

  it("maxTotalValues counts every value, containers included", () => {
    check("[1,2]", { maxTotalValues: 3 }, JsonError.None);
    check("[1,2]", { maxTotalValues: 2 }, JsonError.TooManyValues);
    check('{"a":[true,null],"b":{}}', { maxTotalValues: 5 }, JsonError.None);
    check('{"a":[true,null],"b":{}}', { maxTotalValues: 4 }, JsonError.TooManyValues);
    check("7", { maxTotalValues: 1 }, JsonError.None);
    check("[" + "0,".repeat(9999) + "0]", { maxTotalValues: 10_001 }, JsonError.None);
    check("[" + "0,".repeat(9999) + "0]", { maxTotalValues: 10_000 }, JsonError.TooManyValues);
  });

  it("the default limits", () => {
    assert.equal(wasm.parse("[".repeat(64) + "]".repeat(64), DEFAULT_LIMITS).error, JsonError.None);
    assert.equal(wasm.parse("[".repeat(65) + "]".repeat(65), DEFAULT_LIMITS).error, JsonError.TooDeep);
    assert.equal(wasm.parse(manyKeys(1000), DEFAULT_LIMITS).error, JsonError.None);
    assert.equal(wasm.parse(manyKeys(1001), DEFAULT_LIMITS).error, JsonError.TooManyKeys);
  });
});

describe("json parse: hostile nesting", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  it("100k-deep arrays stop at maxDepth without exhausting the stack", () => {
    assert.deepEqual(wasm.parse("[".repeat(100_000), DEFAULT_LIMITS), { error: JsonError.TooDeep, offset: 64 });
    assert.deepEqual(wasm.parse("[".repeat(100_000) + "]".repeat(100_000), { ...DEFAULT_LIMITS, maxDepth: 256 }), {
      error: JsonError.TooDeep,
      offset: 256,
    });
  });

  it("100k-deep objects stop at maxDepth", () => {
    const r = wasm.parse('{"a":'.repeat(100_000), DEFAULT_LIMITS);
    assert.deepEqual(r, { error: JsonError.TooDeep, offset: 64 * 5 });
  });

  it("maxDepth is capped at 1024 whatever the caller asks", () => {
    const limits = { ...GENEROUS_LIMITS, maxDepth: 1_000_000 };
    assert.deepEqual(wasm.parse("[".repeat(100_000) + "]".repeat(100_000), limits), { error: JsonError.TooDeep, offset: 1024 });
    assert.equal(wasm.parse("[".repeat(1024) + "]".repeat(1024), limits).error, JsonError.None);
  });

  it("a 1024-deep document round-trips (serialize and compare recurse safely)", () => {
    const doc = '{"a":['.repeat(512) + "1" + "]}".repeat(512);
    const { error, text } = wasm.roundtrip(doc);
    assert.equal(error, JsonError.None);
    assert.equal(text, doc);
  });

  it("the instance still works after each of these", () => {
    assert.equal(wasm.roundtrip('{"ok":true}').text, '{"ok":true}');
  });
});

describe("json parse: parseJsonString", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  it("parses text (config) the same as bytes", () => {
    const doc = '{"a":"é😀","b":[1,2.5,{"c":null}]}';
    assert.deepEqual(wasm.roundtripString(doc), { error: JsonError.None, text: doc });
    assert.equal(wasm.roundtripString("[1,]").error, JsonError.Malformed);
    assert.equal(wasm.roundtripString('{"a":1,"a":1}').error, JsonError.DuplicateKey);
  });
});
