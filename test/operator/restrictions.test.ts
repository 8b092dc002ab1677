// ClientRestrictions against a real apiserver: the operator puts unexpired ones into the policy's
// WasmPlugin (with the detector endpoint and the policy's report token), removes them when they
// expire (deleting the object, with an Event as the audit record) or when a person deletes them,
// and the apiserver refuses invalid ones through the CRD's CEL rule.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FilterConfig } from "../../operator/src/api/filter-config.js";
import type { Controller } from "../../operator/src/controller/controller.js";
import type { ApiObject } from "../../operator/src/controller/objects.js";
import { reportToken } from "../../operator/src/translate/detection.js";
import type { ControlPlane } from "../harness/kube/index.js";
import { pollUntil } from "../harness/poll.js";
import { deployment, policy, RESTRICTION, startTestController, startTestControlPlane, TestCluster } from "./support.js";

const DETECTOR = { url: "http://modelguard.modelguard-system.svc.cluster.local:8080", key: "k".repeat(32) };

function restriction(ns: string, name: string, spec: Record<string, unknown>): ApiObject {
  return { apiVersion: RESTRICTION.apiVersion, kind: RESTRICTION.kind, metadata: { name, namespace: ns }, spec: { policyName: "p", ...spec } };
}

describe("ClientRestrictions", () => {
  let cp: ControlPlane | undefined;
  let k: TestCluster;
  let controller: Controller;

  before(async () => {
    cp = await startTestControlPlane();
    k = new TestCluster(cp);
    controller = await startTestController(cp, { detector: DETECTOR });
  });

  after(async () => {
    await controller?.stop();
    k?.close();
    await cp?.stop();
  });

  const pluginConfig = async (ns: string): Promise<FilterConfig | undefined> => {
    const plugin = (await k.managedObjects(ns)).find((o) => o.kind === "WasmPlugin");
    return (plugin?.spec as { pluginConfig?: FilterConfig } | undefined)?.pluginConfig;
  };

  test("reach the WasmPlugin, expire on time with an Event, and are lifted by deleting them", async (t) => {
    const ns = "restrict-1";
    await k.createNamespace(ns);
    await k.apply(deployment(ns, "model", "p"));
    const p = policy(ns, "p");
    await k.apply({ ...p, spec: { ...(p.spec as object), detection: { maxAction: "Block" } } });
    const initial = await pollUntil(async () => pluginConfig(ns), { timeoutMs: 20_000, what: "WasmPlugin" });
    assert.equal(initial.detector?.cluster, "outbound|8080||modelguard.modelguard-system.svc.cluster.local");
    assert.equal(initial.detector?.token, reportToken(DETECTOR.key, `${ns}/p`));
    assert.equal(initial.restrictions, undefined);

    const soon = new Date(Date.now() + 4000).toISOString();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const created = Date.now();
    await k.apply(restriction(ns, "block-mallory", { client: "mallory", action: "Block", expiresAt: soon, source: "Detector", reason: "test" }));
    await k.apply(restriction(ns, "throttle-eve", { client: "eve", action: "Throttle", requestsPerMinute: 5, expiresAt: later }));
    const both = await pollUntil(async () => {
      const c = await pluginConfig(ns);
      return c?.restrictions?.length === 2 ? c.restrictions : undefined;
    }, { timeoutMs: 10_000, what: "two restrictions in the WasmPlugin" });
    t.diagnostic(`ClientRestrictions in the WasmPlugin ${Date.now() - created} ms after the first was created`);
    assert.deepEqual(both.map((r) => [r.client, r.action, r.requestsPerMinute]), [["eve", "throttle", 5], ["mallory", "block", undefined]]);
    assert.equal(both[1]?.expiresAtMs, Date.parse(soon));

    // The block expires: it leaves the filter config, its object is deleted, an Event records it.
    await pollUntil(async () => {
      const c = await pluginConfig(ns);
      return c?.restrictions?.length === 1 && c.restrictions[0]?.client === "eve" ? true : undefined;
    }, { timeoutMs: 15_000, what: "expired block removed from the WasmPlugin" });
    await pollUntil(async () => ((await k.get(RESTRICTION, ns, "block-mallory")) === undefined ? true : undefined), { timeoutMs: 10_000, what: "expired object deleted" });
    const events = await pollUntil(async () => {
      const es = await k.events(ns);
      return es.some((e) => e.reason === "RestrictionExpired") ? es : undefined;
    }, { timeoutMs: 10_000, what: "RestrictionExpired Event" });
    assert.ok(events.some((e) => e.reason === "RestrictionExpired" && e.message.includes("mallory") && e.involvedObject.name === "p"));

    // Reversible by hand: deleting the object lifts the throttle.
    await k.delete(RESTRICTION, ns, "throttle-eve");
    await pollUntil(async () => ((await pluginConfig(ns))?.restrictions === undefined ? true : undefined), { timeoutMs: 10_000, what: "throttle lifted" });
  });

  test("the apiserver refuses a Throttle without a rate (CEL) and a malformed expiry", async () => {
    const ns = "restrict-2";
    await k.createNamespace(ns);
    await assert.rejects(k.apply(restriction(ns, "bad", { client: "x", action: "Throttle", expiresAt: new Date().toISOString() })), /requestsPerMinute is required when action is Throttle/);
    await assert.rejects(k.apply(restriction(ns, "bad2", { client: "x", action: "Block", expiresAt: "tomorrow" })), /expiresAt/);
  });
});
