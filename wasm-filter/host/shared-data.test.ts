// Shared data with CAS across several VM instances of one module (Envoy
// workers). Another VM's increment is run between a guest's read and its
// conditional write, so every such interleaving must end in a retry.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WasmResult } from "./abi.js";
import { SharedDataStore } from "./shared-data.js";
import type { WasmVm } from "./vm.js";
import { FEATURES_CONFIG, OK_UPSTREAM, fixtureHost, header } from "./test-support.js";

const COUNTER = "fixture_counter";
const u64 = (bytes: Uint8Array | undefined) => (bytes ? new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true) : undefined);

describe("shared data across VMs", () => {
  it("counts exactly under interleaved CAS contention between three workers", () => {
    const host = fixtureHost("features");
    const vms = [0, 1, 2].map(() => host.createConfiguredVm(FEATURES_CONFIG));
    const seen: number[] = [];
    const count = (vm: WasmVm) => {
      const { request } = host.exchange(vm, { headers: { ":path": "/count" } }, OK_UPSTREAM);
      seen.push(Number(header(request?.headers, "x-count")));
    };

    let active = 0;
    let reads = 0;
    let injected = 0;
    let injecting = false;
    host.sharedData.afterGet = (_vmId, key) => {
      if (key !== COUNTER || injecting || reads++ % 3 !== 0) return;
      injecting = true; // another worker completes a whole increment mid-way through this one
      count(vms[(active + 1) % vms.length] as WasmVm);
      injected++;
      injecting = false;
    };
    const rounds = 300;
    for (let i = 0; i < rounds; i++) {
      active = i % vms.length;
      count(vms[active] as WasmVm);
    }
    host.sharedData.afterGet = undefined;

    const total = rounds + injected;
    assert.ok(injected > 50, `contention was exercised (${injected} interleavings)`);
    assert.equal(u64(host.sharedData.peek("", COUNTER)), BigInt(total));
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i + 1), "every increment saw a distinct value");
    assert.equal(host.metrics.value("fixture.cas_retries"), injected, "each interleaving cost exactly one retry");
  });

  it("keeps VM ids apart", () => {
    const host = fixtureHost("features");
    const a = host.createConfiguredVm(FEATURES_CONFIG, { vmId: "a" });
    const b = host.createConfiguredVm(FEATURES_CONFIG, { vmId: "b" });
    host.exchange(a, { headers: { ":path": "/count" } }, OK_UPSTREAM);
    host.exchange(a, { headers: { ":path": "/count" } }, OK_UPSTREAM);
    host.exchange(b, { headers: { ":path": "/count" } }, OK_UPSTREAM);
    assert.equal(u64(host.sharedData.peek("a", COUNTER)), 2n);
    assert.equal(u64(host.sharedData.peek("b", COUNTER)), 1n);
  });
});

describe("SharedDataStore", () => {
  const bytes = Uint8Array.of(1);
  it("issues non-zero CAS tokens and rejects stale ones", () => {
    const store = new SharedDataStore();
    assert.equal(store.set("", "k", bytes, 0), WasmResult.Ok);
    const first = store.get("", "k");
    assert.ok(first && first.cas !== 0);
    assert.equal(store.set("", "k", bytes, first.cas), WasmResult.Ok);
    assert.equal(store.set("", "k", bytes, first.cas), WasmResult.CasMismatch);
    assert.equal(store.set("", "k", bytes, 0), WasmResult.Ok, "cas 0 writes unconditionally");
  });
  it("creates a missing key whatever the cas (as Envoy does)", () => {
    const store = new SharedDataStore();
    assert.equal(store.set("", "new", bytes, 12345), WasmResult.Ok);
    assert.equal(store.get("", "absent"), undefined);
  });
});
