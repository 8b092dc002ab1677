// Metrics shared by all VMs of a host, tick timers on a controlled clock, and
// shared queues notifying the registering VM.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MetricType, WasmResult } from "./abi.js";
import { MetricsStore } from "./metrics.js";
import { NS_PER_MS } from "./clock.js";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost, header } from "./test-support.js";

describe("metrics", () => {
  it("sums counters and histogram samples from every worker into one stat", () => {
    const host = fixtureHost("features");
    const a = host.createConfiguredVm(FEATURES_CONFIG);
    const b = host.createConfiguredVm(FEATURES_CONFIG);
    host.exchange(a, { headers: { ":path": "/" }, body: "abc" }, OK_UPSTREAM);
    host.exchange(b, { headers: { ":path": "/" }, body: "abcdef" }, OK_UPSTREAM);
    host.exchange(b, { headers: { ":path": "/" } }, OK_UPSTREAM);
    assert.equal(host.metrics.value("fixture.requests"), 3);
    assert.deepEqual(host.metrics.histogram("fixture.request_body_bytes"), { count: 2, samples: [3, 6] });
    assert.equal(host.metrics.value("fixture.active_streams"), 0, "gauge went up and down");
  });

  it("hands out Envoy-style ids and enforces counter monotonicity", () => {
    const store = new MetricsStore();
    const counter = store.define(MetricType.Counter, "c") as number;
    const gauge = store.define(MetricType.Gauge, "g") as number;
    const histogram = store.define(MetricType.Histogram, "h") as number;
    assert.deepEqual([counter, gauge, histogram, store.define(MetricType.Counter, "c2")], [0, 1, 2, 4]);
    assert.equal(store.define(MetricType.Counter, "c"), counter, "defining again finds the same stat");
    assert.equal(store.define(7, "bad"), undefined);
    assert.equal(store.increment(counter, -1n), WasmResult.BadArgument);
    assert.equal(store.increment(gauge, -3n), WasmResult.Ok);
    assert.equal(store.read(gauge), -3n);
    assert.equal(store.read(histogram), WasmResult.BadArgument);
    assert.equal(store.read(99), WasmResult.NotFound);
  });
});

describe("timers and the clock", () => {
  it("fires ticks on every VM at its period, deterministically", () => {
    const host = fixtureHost("features", { startTimeNs: 1_000_000_000_000n * NS_PER_MS });
    host.createConfiguredVm("deny_word=x\ntick_ms=100");
    host.createConfiguredVm("deny_word=x\ntick_ms=100");
    host.advanceTime(99);
    assert.equal(host.metrics.value("fixture.ticks"), 0);
    host.advanceTime(251);
    assert.equal(host.metrics.value("fixture.ticks"), 6);
    assert.equal(host.metrics.value("fixture.last_tick_ms"), 1_000_000_000_300, "the tick saw the clock at its due time");
  });

  it("gives the guest the host clock", () => {
    const host = fixtureHost("features", { startTimeNs: 42n * NS_PER_MS });
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    host.advanceTime(8);
    const { request } = host.exchange(vm, { headers: { ":path": "/time" } }, OK_UPSTREAM);
    assert.equal(header(request?.headers, "x-now-ns"), String(50n * NS_PER_MS));
  });
});

describe("shared queues", () => {
  it("delivers proxy_on_queue_ready to the registering VM after the enqueuing callback", () => {
    const host = fixtureHost("features");
    const owner = host.createConfiguredVm(FEATURES_CONFIG);
    host.exchange(owner, { headers: { ":path": "/enqueue" } }, OK_UPSTREAM);
    host.exchange(owner, { headers: { ":path": "/enqueue" } }, OK_UPSTREAM);
    assert.equal(host.metrics.value("fixture.queue_items"), 2);
    assert.ok(owner.logs.some((l) => l.message === "dequeued /enqueue"));
  });
});
