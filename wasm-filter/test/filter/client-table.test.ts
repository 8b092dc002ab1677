// Per-client records live in a bounded table of shared-data slots per policy (client-store.ts):
// proxy-wasm cannot delete a key, so a key per client ever seen would grow each sidecar forever.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import { baseSpec, chat, filterConfigFor, startFilter } from "./harness.js";

const spec: PolicySpecInput = { ...baseSpec(), tiers: [{ name: "free", requestsPerMinute: 5 }] };
const as = (sub: string) => chat("m", "hello", {}, { sub, tier: "free" });

async function withTable(maxClients: number) {
  return startFilter(spec, { config: JSON.stringify({ ...filterConfigFor(spec), maxClients }) });
}

const clientKeys = (f: Awaited<ReturnType<typeof withTable>>) => f.host.sharedData.keys("modelguard").filter((k) => k.startsWith("mg/c/"));

describe("client table", () => {
  it("holds at most maxClients records however many clients come", async () => {
    const f = await withTable(8);
    for (let i = 0; i < 300; i++) {
      assert.equal(f.send(as(`client-${i}`)).status, 200);
      f.host.advanceTime(100);
    }
    const keys = clientKeys(f);
    assert.ok(keys.length <= 8, `${keys.length} keys: ${keys.join(", ")}`);
    assert.ok(keys.length > 0);
  });

  it("keeps a client's count while the table has room, with other clients coming and going", async () => {
    const f = await withTable(256);
    for (let i = 0; i < 5; i++) assert.equal(f.send(as("alice")).status, 200);
    for (let i = 0; i < 100; i++) assert.equal(f.send(as(`other-${i}`)).status, 200);
    assert.equal(f.send(as("alice")).status, 429);
    assert.equal(f.host.metrics.value("modelguard_clients_evicted"), 0);
  });

  it("gives a worthless record (bucket full again) to the next client without an eviction", async () => {
    const f = await withTable(1);
    for (let i = 0; i < 5; i++) assert.equal(f.send(as("alice")).status, 200);
    assert.equal(f.send(as("alice")).status, 429);
    f.host.advanceTime(61_000); // 5 per minute: full again after a minute
    assert.equal(f.send(as("bob")).status, 200);
    assert.equal(f.host.metrics.value("modelguard_clients_evicted"), 0);
    assert.equal(clientKeys(f).length, 1);
    for (let i = 0; i < 4; i++) assert.equal(f.send(as("bob")).status, 200);
    assert.equal(f.send(as("bob")).status, 429, "bob's own count is kept in the slot");
  });

  it("evicts the least valuable record only when every probed slot is in use, and counts it", async () => {
    const f = await withTable(1);
    for (let i = 0; i < 5; i++) assert.equal(f.send(as("alice")).status, 200);
    assert.equal(f.send(as("bob")).status, 200, "a newcomer is served");
    assert.equal(f.host.metrics.value("modelguard_clients_evicted"), 1);
    assert.equal(f.send(as("alice")).status, 200, "alice was evicted: she starts afresh");
    assert.equal(f.host.metrics.value("modelguard_clients_evicted"), 2);
  });
});
