// Random bytes and mutated documents must never trap or abort the wasm instance (a trap
// would kill Envoy's VM), and linear memory must stop growing once warmed up (the
// incremental GC reclaims every tree; nothing accumulates).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { GENERIC_SEED, documentText, int, mutate, randomBytes, rng } from "./support/json-gen.js";
import { DEFAULT_LIMITS, JsonError, JsonWasm, jsonErrorName } from "./support/json-module.js";
import type { Limits } from "./support/json-module.js";

const encoder = new TextEncoder();
const SMALL: Limits = { maxDepth: 6, maxStringLength: 16, maxArrayLength: 4, maxObjectKeys: 4, maxTotalValues: 0 };
const FEW_VALUES: Limits = { ...DEFAULT_LIMITS, maxTotalValues: 12 };

describe("json fuzz", () => {
  let wasm: JsonWasm;
  before(async () => {
    wasm = await JsonWasm.load();
  });

  /** One fuzz input through every entry point that takes untrusted bytes. */
  function exercise(input: Uint8Array, i: number): number {
    const limits = i % 6 === 0 ? SMALL : i % 6 === 3 ? FEW_VALUES : DEFAULT_LIMITS;
    const { error } = wasm.parse(input, limits);
    assert.ok(error >= 0 && error <= JsonError.NumberOutOfRange, `error code ${error}`);
    if (i % 4 === 0) {
      const rt = wasm.roundtrip(input);
      assert.notEqual(rt.error, -2, `round-trip mismatch: ${jsonErrorName(rt.error)}`);
    }
    return error;
  }

  function run(count: number, seed: number): Record<string, number> {
    const r = rng(seed);
    const seen: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const kind = i % 4;
      const input =
        kind === 0
          ? randomBytes(r, int(r, 64))
          : kind === 1
            ? mutate(r, encoder.encode(documentText(r, 0, 4)))
            : kind === 2
              ? mutate(r, mutate(r, encoder.encode(documentText(r, 0, 10))))
              : encoder.encode(documentText(r, 0, 5));
      const name = jsonErrorName(exercise(input, i));
      seen[name] = (seen[name] ?? 0) + 1;
    }
    return seen;
  }

  it("120k inputs: no trap, every error kind reachable, memory flat after warm-up", () => {
    run(20_000, GENERIC_SEED + 10); // warm-up: the heap reaches its working size
    const warm = wasm.pages();
    const seen = run(100_000, GENERIC_SEED + 11);
    assert.equal(wasm.pages(), warm, `grew from ${warm} to ${wasm.pages()} pages`);
    assert.ok(warm <= 16, `small working set (${warm} pages)`);
    for (const name of ["None", "Malformed", "TooDeep", "StringTooLong", "ArrayTooLong", "TooManyKeys", "TooManyValues"]) {
      assert.ok((seen[name] ?? 0) > 0, `${name} never produced: ${JSON.stringify(seen)}`);
    }
  });

  it("1000 parses of a 64 KB document keep memory flat", () => {
    const r = rng(GENERIC_SEED + 12);
    const items: string[] = [];
    while (items.join(",").length < 64 * 1024) items.push(documentText(r, 0, 4));
    const doc = encoder.encode("[" + items.join(",") + "]");
    for (let i = 0; i < 200; i++) assert.equal(wasm.roundtrip(doc).error, JsonError.None);
    const warm = wasm.pages();
    for (let i = 0; i < 1000; i++) assert.equal(wasm.parse(doc, { ...DEFAULT_LIMITS, maxStringLength: 1 << 20 }).error, JsonError.None);
    for (let i = 0; i < 200; i++) assert.equal(wasm.roundtrip(doc).error, JsonError.None);
    assert.equal(wasm.pages(), warm, `grew from ${warm} to ${wasm.pages()} pages`);
  });

  it("truncations of a valid document at every byte never trap", () => {
    const doc = encoder.encode('{"model":"m","messages":[{"role":"user","content":"h\\u00e9llo 😀 \\ud83d\\ude00"}],"n":-1.5e-3,"ok":[true,false,null]}');
    for (let cut = 0; cut <= doc.length; cut++) {
      const { error } = wasm.parse(doc.subarray(0, cut));
      assert.equal(error === JsonError.None, cut === doc.length, `cut at ${cut}`);
    }
  });
});
