// The controller in-process against a real kube-apiserver with the Istio CRDs (and their CEL
// rules) and our CRD: it programs what translate wants, follows changes, prunes, repairs drift,
// leaves applied objects alone when a policy turns invalid, writes nothing on a no-op resync and
// survives an apiserver restart.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ControlPlane } from "../harness/kube/index.js";
import { pollUntil } from "../harness/poll.js";
import type { Controller } from "../../operator/src/controller/controller.js";
import { contains, DESIRED_HASH_ANNOTATION } from "../../operator/src/controller/desired.js";
import { jsonLogger } from "../../operator/src/controller/log.js";
import type { ApiObject } from "../../operator/src/controller/objects.js";
import { MANAGED_RESOURCES } from "../../operator/src/controller/resources.js";
import type { Deployment, Secret } from "../../operator/src/translate/inputs.js";
import { translate } from "../../operator/src/translate/translate.js";
import {
  assertCondition,
  DEPLOYMENT,
  deployment,
  loadExample,
  names,
  policy,
  POLICY,
  resourceVersions,
  secret,
  SECRET,
  startTestController,
  startTestControlPlane,
  TEST_WASM,
  TestCluster,
} from "./support.js";

describe("operator controller against a real apiserver", () => {
  let cp: ControlPlane | undefined;
  let k: TestCluster;
  let controller: Controller;
  const logs: string[] = [];
  let nsCounter = 0;
  const namespace = async () => {
    const ns = `ctl-${++nsCounter}`;
    await k.createNamespace(ns);
    return ns;
  };

  before(async () => {
    cp = await startTestControlPlane();
    k = new TestCluster(cp);
    controller = await startTestController(cp, { logger: jsonLogger((l) => logs.push(l)) });
  });

  after(async () => {
    await controller?.stop();
    k?.close();
    await cp?.stop();
  });

  /** What translate wants for the policy as it is now in the cluster. */
  async function expected(ns: string, name: string) {
    const live = await k.get(POLICY, ns, name);
    const deployments = (await k.list(DEPLOYMENT, ns)) as unknown as Deployment[];
    const secrets = (await k.list(SECRET, ns)) as unknown as Secret[];
    return translate({ policy: live, deployments, secrets, wasm: TEST_WASM });
  }

  test("programs exactly the objects translate produces, with status and an Event", async () => {
    const ns = await namespace();
    for (const o of loadExample("examples/llm-chat.yaml", ns)) await k.apply(o);
    const p = await k.waitProgrammed(ns, "llm-chat");
    assert.deepEqual((p.status as { targets: string[] }).targets, ["llm-chat"]);
    assert.equal((p.status as { targetCount: number }).targetCount, 1);
    assert.equal((p.status as { observedGeneration: number }).observedGeneration, p.metadata.generation);

    const want = await expected(ns, "llm-chat");
    assert.ok(want.accepted);
    const live = await k.managedObjects(ns);
    assert.deepEqual(names(live), names(want.objects as unknown as ApiObject[]));
    assert.equal(new Set(live.map((o) => o.kind)).size, 6, "all six kinds are produced and accepted by the apiserver");
    for (const w of want.objects) {
      const l = live.find((o) => o.kind === w.kind && o.metadata.name === w.metadata.name);
      assert.ok(l, `${w.kind}/${w.metadata.name} missing`);
      assert.ok(contains(l, w), `${w.kind}/${w.metadata.name} differs from translate's output:\n${JSON.stringify(l, null, 1)}`);
      assert.equal(l.metadata.ownerReferences !== undefined, true);
      assert.match(l.metadata.annotations?.[DESIRED_HASH_ANNOTATION] ?? "", /^[0-9a-f]{32}$/);
    }
    const events = await k.events(ns);
    assert.ok(events.some((e) => e.reason === "Programmed" && e.type === "Normal" && e.involvedObject.name === "llm-chat"), JSON.stringify(events));
  });

  test("follows Deployments and policy edits, and prunes what is no longer wanted", async () => {
    const ns = await namespace();
    await k.apply(deployment(ns, "model-a", "p"));
    await k.apply(deployment(ns, "model-b", "p"));
    await k.apply(deployment(ns, "unrelated", undefined));
    await k.apply(policy(ns, "p"));
    let p = await k.waitProgrammed(ns, "p");
    assert.deepEqual((p.status as { targets: string[] }).targets, ["model-a", "model-b"]);
    const perTarget = (await expected(ns, "p")).objects.length / 2;
    assert.equal((await k.managedObjects(ns)).length, perTarget * 2);

    const current = async () => names(await k.managedObjects(ns));
    const wanted = async () => names((await expected(ns, "p")).objects as unknown as ApiObject[]);
    const converged = (what: string) =>
      pollUntil(async () => {
        const [have, want] = await Promise.all([current(), wanted()]);
        return JSON.stringify(have) === JSON.stringify(want) ? have : undefined;
      }, { timeoutMs: 20_000, what });

    // Un-annotate model-b: its objects go, model-a's stay.
    await k.mergePatch(DEPLOYMENT, ns, "model-b", { metadata: { annotations: { "modelguard.dev/policy": null } } });
    let have = await converged("model-b's objects pruned");
    assert.ok(have.every((n) => !n.includes("model-b")), have.join(","));
    assert.equal(have.length, perTarget);

    // Annotate the unrelated Deployment: it becomes a target.
    await k.mergePatch(DEPLOYMENT, ns, "unrelated", { metadata: { annotations: { "modelguard.dev/policy": "p" } } });
    have = await converged("objects for the newly annotated Deployment");
    assert.ok(have.some((n) => n.includes("unrelated")));

    // Delete model-a: its objects go.
    await k.delete(DEPLOYMENT, ns, "model-a");
    have = await converged("model-a's objects pruned");
    assert.ok(have.every((n) => !n.includes("model-a")), have.join(","));

    // Edit the policy: the generated objects follow and status observes the new generation.
    await k.apply(policy(ns, "p", { mtls: "Permissive" }));
    p = await k.waitProgrammed(ns, "p");
    assert.equal(p.metadata.generation, 2);
    const pa = (await k.managedObjects(ns)).find((o) => o.kind === "PeerAuthentication");
    assert.deepEqual((pa?.spec as { mtls?: unknown }).mtls, { mode: "PERMISSIVE" });
    for (const w of (await expected(ns, "p")).objects) {
      const l = (await k.managedObjects(ns)).find((o) => o.kind === w.kind && o.metadata.name === w.metadata.name);
      assert.ok(l && contains(l, w), `${w.kind}/${w.metadata.name} follows the edit`);
    }

    // Delete the policy: nothing it generated is left (no garbage collector runs here).
    await k.delete(POLICY, ns, "p");
    await pollUntil(async () => ((await k.managedObjects(ns)).length === 0 ? true : undefined), { timeoutMs: 20_000, what: "all objects pruned" });
  });

  test("restores a generated object someone deleted or edited", async () => {
    const ns = await namespace();
    await k.apply(deployment(ns, "model", "p"));
    await k.apply(policy(ns, "p"));
    await k.waitProgrammed(ns, "p");
    const before = await k.managedObjects(ns);
    const plugin = before.find((o) => o.kind === "WasmPlugin");
    const authz = before.find((o) => o.kind === "AuthorizationPolicy");
    assert.ok(plugin && authz);
    const wasmPlugins = MANAGED_RESOURCES.find((r) => r.kind === "WasmPlugin");
    const authzPolicies = MANAGED_RESOURCES.find((r) => r.kind === "AuthorizationPolicy");
    assert.ok(wasmPlugins && authzPolicies);

    await k.delete(wasmPlugins, ns, plugin.metadata.name);
    const restored = await pollUntil(
      async () => {
        const o = await k.get(wasmPlugins, ns, plugin.metadata.name);
        return o && o.metadata.uid !== plugin.metadata.uid ? o : undefined;
      },
      { timeoutMs: 20_000, what: "WasmPlugin recreated" },
    );
    assert.deepEqual(restored.spec, plugin.spec);

    // Someone else weakens the AuthorizationPolicy: it is put back as ModelGuard wants it.
    await k.mergePatch(authzPolicies, ns, authz.metadata.name, { spec: { action: "ALLOW", rules: [{}] } });
    const repaired = await pollUntil(
      async () => {
        const o = await k.get(authzPolicies, ns, authz.metadata.name);
        return o && JSON.stringify(o.spec) === JSON.stringify(authz.spec) ? o : undefined;
      },
      { timeoutMs: 20_000, what: "AuthorizationPolicy repaired" },
    );
    assert.notEqual(repaired.metadata.resourceVersion, authz.metadata.resourceVersion);
  });

  test("an invalid policy is refused with a clear status and Event; applied objects stay as they were", async () => {
    const ns = await namespace();
    await k.apply(secret(ns, "keys", { alice: "alice-key-0123456789abcdef" }));
    await k.apply(deployment(ns, "model", "p"));
    await k.apply(policy(ns, "p", { apiKeySecret: "keys" }));
    await k.waitProgrammed(ns, "p");
    const before = resourceVersions(await k.managedObjects(ns));

    await k.apply(policy(ns, "p", { apiKeySecret: "missing-keys" }));
    const p = await pollUntil(
      async () => {
        const o = await k.get(POLICY, ns, "p");
        const gen = (o?.status as { observedGeneration?: number } | undefined)?.observedGeneration;
        return o && gen === o.metadata.generation && gen === 2 ? o : undefined;
      },
      { timeoutMs: 20_000, what: "status for generation 2" },
    );
    const accepted = assertCondition(p, "Accepted", "False", "SecretNotFound");
    assert.match(accepted.message, /spec\.authentication\.apiKeys\.secretRefs\[0\]\.name: Secret "missing-keys" not found/);
    assert.equal(accepted.observedGeneration, 2);
    assertCondition(p, "Programmed", "False", "NotAccepted");
    const events = await pollUntil(
      async () => {
        const es = (await k.events(ns)).filter((e) => e.reason === "Rejected" && e.type === "Warning");
        return es.length > 0 ? es : undefined;
      },
      { timeoutMs: 10_000, what: "a Rejected Event" },
    );
    assert.match(events[0]?.message ?? "", /missing-keys/);
    assert.deepEqual(resourceVersions(await k.managedObjects(ns)), before, "nothing applied or pruned for an invalid policy");

    // The Secret appears: accepted again, and the filter config carries the new key's hash.
    await k.apply(secret(ns, "missing-keys", { bob: "bob-key-0123456789abcdef0" }));
    await k.waitProgrammed(ns, "p");
    const plugin = (await k.managedObjects(ns)).find((o) => o.kind === "WasmPlugin");
    const cfg = JSON.stringify((plugin?.spec as { pluginConfig?: unknown }).pluginConfig);
    assert.match(cfg, /missing-keys\/bob/);
    assert.doesNotMatch(cfg, /keys\/alice/);
  });

  test("a rotated API key reaches the filter config", async () => {
    const ns = await namespace();
    await k.apply(secret(ns, "keys", { alice: "alice-key-0123456789abcdef" }));
    await k.apply(deployment(ns, "model", "p"));
    await k.apply(policy(ns, "p", { apiKeySecret: "keys" }));
    await k.waitProgrammed(ns, "p");
    const hashes = async () => {
      const plugin = (await k.managedObjects(ns)).find((o) => o.kind === "WasmPlugin");
      const ids = (plugin?.spec as { pluginConfig: { identity: { apiKeys: { sha256: string }[] } } }).pluginConfig.identity.apiKeys;
      return ids.map((a) => a.sha256);
    };
    const old = await hashes();
    await k.apply(secret(ns, "keys", { alice: "alice-rotated-key-0123456789" }));
    const rotated = await pollUntil(async () => {
      const h = await hashes();
      return JSON.stringify(h) !== JSON.stringify(old) ? h : undefined;
    }, { timeoutMs: 10_000, what: "new key hash in the WasmPlugin" });
    assert.equal(rotated.length, 1);
  });

  test("a no-op resync writes nothing", async () => {
    const ns = await namespace();
    for (const o of loadExample("examples/multi-model-kserve.yaml", ns)) await k.apply(o);
    await k.waitProgrammed(ns, "risk-models");
    // Wait until the caches have seen every write so far and the queue has worked them off.
    const caughtUp = async () => {
      const live = [...(await k.managedObjects(ns)), ...(await k.list(POLICY, ns))];
      return live.every((o) => {
        const cache = o.kind === "ModelEndpointPolicy" ? controller.caches.policies : controller.caches.managed.get(`${String(o.apiVersion)}/${String(o.kind)}`);
        return cache?.get(ns, o.metadata.name)?.metadata.resourceVersion === o.metadata.resourceVersion;
      });
    };
    await pollUntil(async () => ((await caughtUp()) && controller.queue.idle() ? true : undefined), { timeoutMs: 20_000, what: "caches caught up, queue idle" });
    const snapshot = async () => resourceVersions([...(await k.managedObjects(ns)), ...(await k.list(POLICY, ns))]);
    const before = await snapshot();
    const writes = controller.stats.writes;
    const reconciles = controller.stats.reconciles;

    const keys = controller.resyncAll();
    assert.ok(keys >= 1);
    await pollUntil(() => (controller.stats.reconciles - reconciles >= keys && controller.queue.idle() ? true : undefined), {
      timeoutMs: 20_000,
      what: "every policy reconciled again",
    });
    assert.equal(controller.stats.writes, writes, "no write request during a no-op resync");
    assert.deepEqual(await snapshot(), before, "no resourceVersion changed");
  });

  test("recovers from an apiserver restart without restarting itself", async () => {
    const ns = await namespace();
    await k.apply(deployment(ns, "model-a", "p"));
    await k.apply(policy(ns, "p"));
    await k.waitProgrammed(ns, "p");
    assert.ok(cp);
    await cp.restartApiServer();
    k.close();
    // Changes made after the restart are picked up by the resumed watches.
    await k.apply(deployment(ns, "model-b", "p"));
    const p = await pollUntil(
      async () => {
        const o = await k.get(POLICY, ns, "p");
        return (o?.status as { targetCount?: number } | undefined)?.targetCount === 2 ? o : undefined;
      },
      { timeoutMs: 60_000, what: "the new target after the restart" },
    );
    assertCondition(p, "Programmed", "True");
    assert.ok((await k.managedObjects(ns)).some((o) => o.metadata.name.includes("model-b")));
  });
});
