// Configuration (fail closed), context lifecycle and log capture.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LogLevel } from "./abi.js";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost } from "./test-support.js";

describe("configuration", () => {
  const host = fixtureHost("features");

  it("accepts a valid plugin configuration", () => {
    assert.equal(host.createVm().configure(FEATURES_CONFIG), true);
  });

  for (const [name, config] of [
    ["empty", ""],
    ["missing deny_word", "max_body=10"],
    ["unknown key", "deny_word=x\ncolour=blue"],
    ["bad number", "deny_word=x\nmax_body=ten"],
  ] as const) {
    it(`rejects a configuration: ${name}`, () => {
      const vm = host.createVm();
      assert.equal(vm.configure(config), false);
      assert.ok(vm.logs.some((l) => l.level === LogLevel.Error && l.message === "rejecting configuration"));
    });
  }

  it("delivers large configurations intact", () => {
    const vm = host.createVm();
    const padding = "\n".repeat(200_000);
    assert.equal(vm.configure(`${padding}deny_word=needle${padding}`), true);
    assert.ok(vm.logs.some((l) => l.message === "configured deny_word=needle"));
  });
});

describe("context lifecycle", () => {
  it("creates and deletes one stream context per exchange", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    for (let i = 0; i < 3; i++) host.exchange(vm, { headers: { ":path": "/" } }, OK_UPSTREAM);
    assert.equal(host.metrics.value("fixture.requests"), 3);
    assert.equal(host.metrics.value("fixture.active_streams"), 0);
    assert.equal(vm.openStreams, 0);
  });

  it("keeps a stream whose onDone returned false until the guest calls proxy_done", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm("deny_word=x\ntick_ms=10");
    host.exchange(vm, { headers: { ":path": "/linger" } }, OK_UPSTREAM);
    assert.equal(vm.openStreams, 1);
    assert.equal(host.metrics.value("fixture.active_streams"), 1);
    host.advanceTime(10); // the fixture's tick calls proxy_done for lingering streams
    assert.equal(vm.openStreams, 0);
    assert.equal(host.metrics.value("fixture.active_streams"), 0);
  });

  it("runs proxy_on_log with the response still readable", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    host.exchange(vm, { headers: { ":path": "/", "x-log-on-done": "1" } }, { status: 201 });
    assert.ok(vm.logs.some((l) => l.message === "on_log status=201"));
  });
});

describe("logging", () => {
  it("captures every level with its context id", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    vm.logs.length = 0;
    const result = host.exchange(vm, { headers: { ":path": "/log" } }, OK_UPSTREAM);
    assert.deepEqual(
      vm.logs.map((l) => [l.level, l.message, l.contextId]),
      ["trace", "debug", "info", "warn", "error", "critical"].map((name, level) => [level, `${name} line`, result.contextId]),
    );
  });

  it("drops lines below the VM's log level", () => {
    const host = fixtureHost("features");
    const vm = host.createVm({ logLevel: LogLevel.Warn });
    vm.configure(FEATURES_CONFIG);
    host.exchange(vm, { headers: { ":path": "/log" } }, OK_UPSTREAM);
    assert.deepEqual(vm.logs.map((l) => l.message), ["warn line", "error line", "critical line"]);
  });
});
