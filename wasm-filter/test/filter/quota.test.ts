// Per-client quotas through the real filter: token buckets in shared data, Retry-After and
// x-ratelimit-* headers, refills on the host clock, exact counts across several VMs, token budgets.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import { baseSpec, chat, startFilter } from "./harness.js";

const spec = (tiers: PolicySpecInput["tiers"]): PolicySpecInput => ({ ...baseSpec(), tiers });

describe("request quotas", () => {
  it("allows the burst, then answers 429 with Retry-After and x-ratelimit headers", async () => {
    const f = await startFilter(spec([{ name: "free", requestsPerMinute: 6, burst: 3 }]));
    const seen = [0, 1, 2].map(() => f.send(chat("m", "hi")));
    assert.deepEqual(seen.map((d) => d.status), [200, 200, 200]);
    assert.deepEqual(seen.map((d) => d.headers["x-ratelimit-remaining"]), ["2", "1", "0"]);
    assert.equal(seen[0]?.headers["x-ratelimit-limit"], "3");
    const over = f.send(chat("m", "hi"));
    assert.equal(over.status, 429);
    assert.equal(over.reason, "quota_exceeded");
    // 6 per minute refills one request every 10 s.
    assert.equal(over.headers["retry-after"], "10");
    assert.equal(over.headers["x-ratelimit-remaining"], "0");
    f.host.advanceTime(9_000);
    assert.equal(f.send(chat("m", "hi")).status, 429);
    f.host.advanceTime(1_000);
    assert.equal(f.send(chat("m", "hi")).status, 200);
  });

  it("counts each client separately, and each tier separately", async () => {
    const f = await startFilter(spec([{ name: "free", requestsPerSecond: 1 }, { name: "pro", requestsPerSecond: 2 }]));
    assert.equal(f.send(chat("m", "x", {}, { sub: "a", tier: "free" })).status, 200);
    assert.equal(f.send(chat("m", "x", {}, { sub: "a", tier: "free" })).status, 429);
    assert.equal(f.send(chat("m", "x", {}, { sub: "b", tier: "free" })).status, 200);
    assert.equal(f.send(chat("m", "x", {}, { sub: "c", tier: "pro" })).status, 200);
    assert.equal(f.send(chat("m", "x", {}, { sub: "c", tier: "pro" })).status, 200);
    assert.equal(f.send(chat("m", "x", {}, { sub: "c", tier: "pro" })).status, 429);
  });

  it("enforces every window: the day limit holds after the second limit refills", async () => {
    const f = await startFilter(spec([{ name: "free", requestsPerSecond: 2, requestsPerDay: 5 }]));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push(f.send(chat("m", "x")).status);
      f.host.advanceTime(1_000);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  });

  it("denied requests do not consume quota", async () => {
    const f = await startFilter({ ...spec([{ name: "free", requestsPerMinute: 2 }]), rules: [{ models: ["ok"] }] });
    for (let i = 0; i < 5; i++) assert.equal(f.send(chat("nope", "x")).reason, "model_not_allowed");
    assert.equal(f.send(chat("ok", "x")).status, 200);
    assert.equal(f.send(chat("ok", "x")).status, 200);
    assert.equal(f.send(chat("ok", "x")).status, 429);
  });

  for (const workers of [2, 4, 8]) {
    it(`is exact across ${workers} VMs sharing data (compare-and-swap)`, async () => {
      const f = await startFilter(spec([{ name: "free", requestsPerHour: 37 }]), { workers });
      let allowed = 0;
      let injected = 0;
      let nested = false;
      let gets = 0;
      let current = 0;
      // Every third read, another VM runs a whole request between this VM's read and its
      // conditional write: the write must then fail its CAS and retry on fresh data.
      f.host.sharedData.afterGet = (_vmId: string, key: string) => {
        if (nested || !key.startsWith("mg/c/") || ++gets % 3 !== 0) return;
        nested = true;
        try {
          injected++;
          if (f.send(chat("m", "x"), (current + 1) % workers).status === 200) allowed++;
        } finally {
          nested = false;
        }
      };
      for (let i = 0; i < 100; i++) {
        current = i % workers;
        if (f.send(chat("m", "x"), current).status === 200) allowed++;
      }
      assert.ok(injected > 10, `only ${injected} interleavings`);
      assert.equal(allowed, 37);
    });
  }
});

describe("token budgets", () => {
  const usage = (total: number) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [], usage: { total_tokens: total } }) });

  it("reserves the estimate, settles from usage, and refuses when the budget is spent", async () => {
    const f = await startFilter(spec([{ name: "free", tokensPerMinute: 1000, maxTokensPerRequest: 600 }]));
    const a = f.send({ ...chat("m", "hi", { max_tokens: 500 }), response: usage(100) });
    assert.equal(a.status, 200);
    // 1000 - 100 used = 900 left: a 600-token request fits, a second does not until refill.
    assert.equal(f.send({ ...chat("m", "hi", { max_tokens: 600 }), response: usage(600) }).status, 200);
    const over = f.send(chat("m", "hi", { max_tokens: 600 }));
    assert.equal(over.status, 429);
    assert.equal(over.reason, "token_budget_exceeded");
    assert.ok(Number(over.headers["retry-after"]) > 0);
  });

  it("refuses max_tokens above the tier's cap with 400", async () => {
    const f = await startFilter(spec([{ name: "free", maxTokensPerRequest: 256 }]));
    assert.equal(f.send(chat("m", "hi", { max_tokens: 256 })).status, 200);
    const d = f.send(chat("m", "hi", { max_tokens: 257 }));
    assert.equal(d.status, 400);
    assert.equal(d.reason, "max_tokens_exceeded");
    assert.equal(f.send(chat("m", "hi", { max_completion_tokens: 1000 })).reason, "max_tokens_exceeded");
    assert.equal(f.send(chat("m", "hi", { max_tokens: "lots" })).reason, "field_invalid");
  });
});
