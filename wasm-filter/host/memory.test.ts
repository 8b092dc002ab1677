// Garbage must not accumulate: after warm-up, many more
// requests (bodies, header rewrites, claims, shared data, local replies) must
// not grow the instance by a single page.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExchangeRequest } from "./exchange.js";
import { jwtPayloadProperties } from "./properties.js";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost } from "./test-support.js";

const MIX: ExchangeRequest[] = [
  { headers: { ":path": "/", "x-replace-me": "a", "x-echo": "e" }, body: ["chunk one ", "chunk two"] },
  { headers: { ":path": "/pairs", "a": "1" } },
  { headers: { ":path": "/claims" }, properties: jwtPayloadProperties({ sub: "alice", scope: ["a", "b", "c"], exp: 1, admin: true }) },
  { headers: { ":path": "/claims" } },
  { headers: { ":path": "/count" } },
  { headers: { ":path": "/" }, body: "this is forbidden" },
  { headers: { ":path": "/property" } },
];

describe("linear memory", () => {
  it("stays the same size over 100k requests after warm-up", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const run = (n: number) => {
      for (let i = 0; i < n; i++) host.exchange(vm, MIX[i % MIX.length] as ExchangeRequest, OK_UPSTREAM);
    };
    run(20_000);
    const warm = vm.memoryPages;
    run(100_000);
    assert.equal(vm.memoryPages, warm, `grew from ${warm} to ${vm.memoryPages} pages`);
    assert.ok(warm <= 4, `warm-up footprint is small (${warm} pages)`);
    assert.equal(vm.openStreams, 0);
  });
});
