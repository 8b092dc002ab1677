// The real `modelguard operator` command: two processes with leader election against a real
// apiserver. Only the leader writes; /healthz, /readyz and /metrics answer; when the leader is
// killed the other takes over; SIGTERM stops gracefully with exit code 0 and hands the Lease back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ControlPlane } from "../harness/kube/index.js";
import { pollUntil } from "../harness/poll.js";
import { freePort } from "../harness/ports.js";
import { startProcess, type ManagedProcess } from "../harness/process.js";
import { LEASE_RESOURCE } from "../../operator/src/controller/resources.js";
import { deployment, policy, startTestControlPlane, TEST_WASM, TestCluster } from "./support.js";

interface Operator {
  proc: ManagedProcess;
  url: string;
}

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** The value of one sample in Prometheus text, 0 if absent. */
function sample(metrics: string, line: string): number {
  const m = metrics.split("\n").find((l) => l.startsWith(`${line} `));
  return m === undefined ? 0 : Number(m.slice(line.length + 1));
}

describe("modelguard operator (the real process)", () => {
  let cp: ControlPlane | undefined;
  let k: TestCluster;
  const operators: Operator[] = [];

  async function startOperator(podName: string): Promise<Operator> {
    assert.ok(cp);
    const port = await freePort();
    const proc = startProcess("modelguard-operator", process.execPath, [
      "--import",
      "tsx",
      "operator/src/cli/main.ts",
      "operator",
      "--kubeconfig",
      cp.kubeconfigPath,
      "--metrics-addr",
      `127.0.0.1:${port}`,
      "--wasm-url",
      TEST_WASM.url,
      "--wasm-sha256",
      TEST_WASM.sha256,
      "--leader-elect",
      "--leader-election-namespace",
      "default",
      "--lease-duration",
      "3",
      "--renew-deadline",
      "2",
      "--retry-period",
      "0.5",
    ], { env: { ...process.env, POD_NAME: podName } });
    const op = { proc, url: `http://127.0.0.1:${port}` };
    operators.push(op);
    return op;
  }

  const metricsOf = async (op: Operator) => (await httpGet(`${op.url}/metrics`)).body;
  const isLeader = async (op: Operator) => sample(await metricsOf(op), "modelguard_leader") === 1;
  const writesOf = async (op: Operator) => {
    const m = await metricsOf(op);
    return ["POST", "PUT", "PATCH", "DELETE"].reduce((n, v) => n + sample(m, `modelguard_api_requests_total{verb="${v}"}`), 0);
  };

  before(async () => {
    cp = await startTestControlPlane();
    k = new TestCluster(cp);
  });

  after(async () => {
    for (const op of operators) await op.proc.stop();
    k?.close();
    await cp?.stop();
  });

  /** The Pod objects the two processes pretend to run in (no kubelet: they stay Pending). */
  const POD = (name: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "modelguard" } },
    spec: { automountServiceAccountToken: false, containers: [{ name: "operator", image: "example/modelguard:1" }] },
  });
  const leaderLabel = async (name: string) =>
    (await k.client.request<{ metadata: { labels?: Record<string, string> } }>({ method: "GET", path: `/api/v1/namespaces/default/pods/${name}` })).metadata.labels?.["modelguard.dev/leader"];

  test("one leader writes, the other takes over when it dies, SIGTERM exits 0; the leader's Pod carries the leader label", async () => {
    await k.client.request({ method: "POST", path: "/api/v1/namespaces/default/serviceaccounts", body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" } } }).catch(() => undefined);
    for (const name of ["op-a", "op-b"]) await k.client.request({ method: "POST", path: "/api/v1/namespaces/default/pods", body: POD(name) });
    const a = await startOperator("op-a");
    const b = await startOperator("op-b");
    const explain = () => `\n--- a ---\n${a.proc.output().slice(-3000)}\n--- b ---\n${b.proc.output().slice(-3000)}`;
    for (const op of [a, b]) {
      await pollUntil(async () => ((await httpGet(`${op.url}/readyz`)).status === 200 ? true : undefined), {
        timeoutMs: 30_000,
        what: `${op.url}/readyz`,
      }).catch((err: unknown) => assert.fail(`${String(err)}${explain()}`));
      assert.equal((await httpGet(`${op.url}/healthz`)).status, 200);
    }
    const leader = await pollUntil(async () => ((await isLeader(a)) ? a : (await isLeader(b)) ? b : undefined), {
      timeoutMs: 20_000,
      what: "a leader",
    });
    const follower = leader === a ? b : a;
    const [leaderPod, followerPod] = leader === a ? ["op-a", "op-b"] : ["op-b", "op-a"];
    await pollUntil(async () => ((await leaderLabel(leaderPod)) === "true" ? true : undefined), { timeoutMs: 10_000, what: "leader label" });
    assert.equal(await leaderLabel(followerPod), undefined);

    await k.createNamespace("proc-1");
    await k.apply(deployment("proc-1", "model", "p"));
    await k.apply(policy("proc-1", "p"));
    await k.waitProgrammed("proc-1", "p").catch((err: unknown) => assert.fail(`${String(err)}${explain()}`));

    // The Programmed status can be seen before the reconcile that wrote it has counted itself.
    const lm = await pollUntil(async () => {
      const text = await metricsOf(leader);
      return sample(text, 'modelguard_reconcile_total{result="success"}') >= 1 ? text : undefined;
    }, { timeoutMs: 10_000, what: "the leader's successful reconcile in its metrics" });
    assert.ok(sample(lm, "modelguard_reconcile_duration_seconds_count") >= 1);
    assert.equal(sample(lm, 'modelguard_managed_objects{kind="WasmPlugin"}'), 1);
    assert.match(lm, /^modelguard_workqueue_depth \d+$/m);
    assert.equal(await isLeader(follower), false);
    assert.equal(await writesOf(follower), 0, "the follower wrote nothing");
    assert.ok((await writesOf(leader)) > 0);

    // The leader dies without handing the Lease back: the follower takes over once it expires.
    leader.proc.child.kill("SIGKILL");
    await leader.proc.exited;
    await pollUntil(async () => ((await isLeader(follower)) ? true : undefined), { timeoutMs: 20_000, what: "takeover" });
    await pollUntil(async () => ((await leaderLabel(followerPod)) === "true" ? true : undefined), { timeoutMs: 10_000, what: "leader label moved" });
    await k.createNamespace("proc-2");
    await k.apply(deployment("proc-2", "model", "q"));
    await k.apply(policy("proc-2", "q"));
    await k.waitProgrammed("proc-2", "q").catch((err: unknown) => assert.fail(`${String(err)}${explain()}`));

    // Graceful stop: exit code 0 and the Lease handed back.
    follower.proc.child.kill("SIGTERM");
    assert.equal(await follower.proc.exited, 0, explain());
    const lease = await k.get(LEASE_RESOURCE, "default", "modelguard-operator");
    assert.equal((lease?.spec as { holderIdentity?: string }).holderIdentity, "");
    assert.equal(await leaderLabel(followerPod), undefined, "a graceful stop takes the label off");
  });
});
