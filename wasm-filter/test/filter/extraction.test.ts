// Model-extraction signals in the real filter: a parameter sweep is flagged and then blocked or
// throttled per the policy; ordinary traffic is not; blocks expire.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import type { SimRequest } from "../../host/simulation.js";
import { baseSpec, post, startFilter } from "./harness.js";

const spec = (extraction: PolicySpecInput["extraction"]): PolicySpecInput => ({ ...baseSpec(), protocol: "KServeV1", extraction });
const sweep = (i: number, client = "attacker"): SimRequest =>
  post("/v1/models/m:predict", { instances: [[0.5, 0.25, 0.125, 1.5 + i * 0.001, 3.25, 7.5]] }, { sub: client, tier: "free" });

let seed = 7;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const benign = (client: string): SimRequest =>
  post("/v1/models/m:predict", { instances: [Array.from({ length: 6 }, () => Math.round(rnd() * 1000) / 10)] }, { sub: client, tier: "free" });

describe("extraction detection", () => {
  it("blocks a fast parameter sweep, with an audit line and a metric, and the block expires", async () => {
    const f = await startFilter(spec({ action: "Block", windowSeconds: 60, minRequests: 20, maxRequestsPerWindow: 100, blockSeconds: 120 }));
    let firstBlocked = -1;
    for (let i = 0; i < 200 && firstBlocked < 0; i++) {
      const d = f.send(sweep(i));
      if (d.reason === "extraction_blocked") firstBlocked = i;
      f.host.advanceTime(50);
    }
    // Scoring starts at the 20th request (minRequests), index 19.
    assert.ok(firstBlocked >= 19 && firstBlocked < 200, `blocked at ${firstBlocked}`);
    assert.equal(f.send(sweep(999)).status, 403);
    assert.equal(f.host.metrics.value("modelguard_extraction_flagged"), 1);
    assert.ok(f.logs.some((l) => l.includes('"decision":"flag"') && l.includes('"client":"attacker"')));
    f.host.advanceTime(121_000);
    assert.equal(f.send(sweep(1000)).status, 200, "blocks expire");
  });

  it("throttles instead of blocking when configured", async () => {
    const f = await startFilter(spec({ action: "Throttle", throttleRequestsPerMinute: 2, windowSeconds: 60, minRequests: 20, maxRequestsPerWindow: 100 }));
    const reasons: string[] = [];
    for (let i = 0; i < 120; i++) {
      reasons.push(f.send(sweep(i)).reason);
      f.host.advanceTime(50);
    }
    assert.ok(reasons.includes("extraction_throttled"));
    assert.ok(!reasons.includes("extraction_blocked"));
  });

  it("does not flag ordinary clients at an ordinary rate", async () => {
    const f = await startFilter(spec({ action: "Block", windowSeconds: 60, minRequests: 20, maxRequestsPerWindow: 100 }));
    for (let i = 0; i < 600; i++) {
      const d = f.send(benign(`user-${i % 10}`));
      assert.equal(d.status, 200, `request ${i}: ${d.reason}`);
      f.host.advanceTime(1000);
    }
    assert.equal(f.host.metrics.value("modelguard_extraction_flagged"), 0);
  });

  it("Log only records: nothing is denied", async () => {
    const f = await startFilter(spec({ action: "Log", windowSeconds: 60, minRequests: 20, maxRequestsPerWindow: 100 }));
    for (let i = 0; i < 150; i++) {
      assert.equal(f.send(sweep(i)).status, 200);
      f.host.advanceTime(50);
    }
    assert.equal(f.host.metrics.value("modelguard_extraction_flagged"), 1);
  });
});
