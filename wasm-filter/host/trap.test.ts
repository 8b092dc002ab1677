// A guest trap surfaces as GuestTrapError with the guest's abort message; the
// VM is failed from then on, other VMs are not.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GuestTrapError, VmFailedError } from "./errors.js";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost } from "./test-support.js";

describe("guest traps", () => {
  it("reports the callback, context and abort message, then refuses further calls", () => {
    const host = fixtureHost("features");
    const vm = host.createConfiguredVm(FEATURES_CONFIG);
    const healthy = host.createConfiguredVm(FEATURES_CONFIG);
    assert.throws(
      () => host.exchange(vm, { headers: { ":path": "/trap" } }, OK_UPSTREAM),
      (err: unknown) => {
        assert.ok(err instanceof GuestTrapError);
        assert.equal(err.callback, "proxy_on_request_headers");
        assert.equal(err.contextId, 2);
        assert.match(err.abortMessage ?? "", /^fixture trap requested at assembly\/fixtures\/features\/http\.ts:\d+:\d+$/);
        assert.ok(err.cause instanceof WebAssembly.RuntimeError);
        return true;
      },
    );
    assert.equal(vm.isFailed, true);
    assert.throws(() => host.exchange(vm, { headers: { ":path": "/" } }, OK_UPSTREAM), VmFailedError);
    assert.equal(host.exchange(healthy, { headers: { ":path": "/" } }, OK_UPSTREAM).outcome, "forwarded");
  });
});
