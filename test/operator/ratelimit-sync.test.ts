// --ratelimit-config-map against a real apiserver: every policy's ratelimit descriptors are
// gathered into the one ConfigMap the chart's ratelimit service mounts (created by the chart),
// follow policy changes, and leave with the policy.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Controller } from "../../operator/src/controller/controller.js";
import { CONFIGMAP_RESOURCE } from "../../operator/src/controller/resources.js";
import type { ControlPlane } from "../harness/kube/index.js";
import { pollUntil } from "../harness/poll.js";
import { loadExample, POLICY, startTestController, startTestControlPlane, TestCluster } from "./support.js";

const TARGET = { namespace: "mg-system", name: "modelguard-ratelimit-config" };

describe("ratelimit descriptors gathered into the service's ConfigMap", () => {
  let cp: ControlPlane | undefined;
  let k: TestCluster;
  let controller: Controller;

  before(async () => {
    cp = await startTestControlPlane();
    k = new TestCluster(cp);
    await k.createNamespace(TARGET.namespace);
    // What the chart creates: the ConfigMap without data.
    await k.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: TARGET.name, namespace: TARGET.namespace } });
    controller = await startTestController(cp, { ratelimitConfigMap: TARGET });
  });

  after(async () => {
    await controller?.stop();
    k?.close();
    await cp?.stop();
  });

  const aggregate = async () => ((await k.get(CONFIGMAP_RESOURCE, TARGET.namespace, TARGET.name)) as { data?: Record<string, string> } | undefined)?.data ?? {};

  test("a policy with global rate limits appears under <namespace>.<policy>.yaml and leaves with it", async () => {
    for (const ns of ["team-a", "team-b"]) {
      await k.createNamespace(ns);
      for (const o of loadExample("examples/llm-chat.yaml", ns)) await k.apply(o);
    }
    const data = await pollUntil(async () => {
      const d = await aggregate();
      return Object.keys(d).length === 2 ? d : undefined;
    }, { timeoutMs: 20_000, what: "two policies' descriptors gathered" });
    assert.deepEqual(Object.keys(data), ["team-a.llm-chat.yaml", "team-b.llm-chat.yaml"]);
    const own = (await k.list(CONFIGMAP_RESOURCE, "team-a", "modelguard.dev/ratelimit-config=true"))[0] as { data?: Record<string, string> } | undefined;
    assert.equal(data["team-a.llm-chat.yaml"], own?.data?.["team-a.llm-chat.yaml"], "the same descriptors as the policy's own ConfigMap");
    assert.match(data["team-a.llm-chat.yaml"] ?? "", /domain: /);

    await k.delete(POLICY, "team-b", "llm-chat");
    await pollUntil(async () => (Object.keys(await aggregate()).join(",") === "team-a.llm-chat.yaml" ? true : undefined), { timeoutMs: 20_000, what: "team-b removed" });
  });
});
