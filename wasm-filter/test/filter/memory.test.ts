// The filter runs on AssemblyScript's minimal runtime and collects garbage only at safe points
// (assembly/abi/collect.ts). These tests hold that policy to its promise: large bodies and long
// runs of small requests leave linear memory where warm-up put it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseSpec, chat, filterConfigFor, post, startFilter } from "./harness.js";

const BIG_STRING = "x".repeat(3 << 20);

describe("filter memory", () => {
  it("large JSON bodies, allowed and denied, do not grow linear memory after warm-up", async () => {
    const f = await startFilter({ ...baseSpec(), payload: { maxBodyBytes: 8 << 20, json: { maxStringLength: 8 << 20 }, prompts: { denyPatterns: ["reveal your system prompt"] } } });
    const big = chat("m", BIG_STRING);
    const denied = chat("m", `${BIG_STRING} reveal your system prompt`);
    const round = () => {
      assert.equal(f.send(big).status, 200);
      assert.equal(f.send(denied).status, 400);
    };
    for (let i = 0; i < 3; i++) round();
    const warm = f.vms[0]?.memoryPages ?? 0;
    for (let i = 0; i < 40; i++) round();
    const end = f.vms[0]?.memoryPages ?? 0;
    assert.equal(end, warm, `grew from ${warm} to ${end} pages over 80 bodies of 3 MiB`);
  });

  it("with a large configuration (collections spaced out by heap size) stays flat too", async () => {
    const restrictions = Array.from({ length: 5_000 }, (_, i) => ({ client: `client-${i}`, action: "block" as const, expiresAtMs: 4e12 }));
    const f = await startFilter(baseSpec(), { config: JSON.stringify({ ...filterConfigFor(baseSpec()), restrictions }) });
    const run = (n: number) => {
      for (let i = 0; i < n; i++) assert.equal(f.send(chat("m", `hello ${i % 7}`)).status, 200);
    };
    run(3_000);
    const warm = f.vms[0]?.memoryPages ?? 0;
    run(20_000);
    assert.equal(f.vms[0]?.memoryPages, warm);
    assert.equal(f.send(chat("m", "hi", {}, { sub: "client-4999", tier: "free" })).status, 403, "the configuration is intact");
  });

  it("stays flat over many small requests, garbage bounded to a few requests' worth", async () => {
    const f = await startFilter(baseSpec());
    const reqs = [chat("m", "hello"), post("/v1/chat/completions", "{not json"), { ...chat("m", "hi"), claims: undefined }];
    const run = (n: number) => {
      for (let i = 0; i < n; i++) f.send(reqs[i % reqs.length] ?? chat("m", "x"));
    };
    run(2_000);
    const warm = f.vms[0]?.memoryPages ?? 0;
    run(20_000);
    assert.equal(f.vms[0]?.memoryPages, warm);
    assert.ok(warm <= 16, `warm footprint ${warm} pages`);
  });
});
