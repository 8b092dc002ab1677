// Cluster-wide detection end to end, on real components: simulated clients (the evaluation's
// benign personas and extraction attackers) go through the real compiled filter in one host per
// pod; the reports those VMs send from their ticks are POSTed to the operator's real HTTP endpoint
// with the policy's token; the detector scores clients across pods; the leader turns findings into
// Events and ClientRestrictions on a real apiserver; the controller puts them into the WasmPlugin;
// and a filter configured from that WasmPlugin blocks the attackers and nobody else.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FilterConfig } from "../../operator/src/api/filter-config.js";
import type { Controller } from "../../operator/src/controller/controller.js";
import { DetectorService } from "../../operator/src/controller/detector-service.js";
import { EventRecorder } from "../../operator/src/controller/events.js";
import { startHttpServer, type RunningHttpServer } from "../../operator/src/controller/http-server.js";
import { silentLogger } from "../../operator/src/controller/log.js";
import { OperatorMetrics } from "../../operator/src/controller/metrics.js";
import { ExtractionDetector } from "../../operator/src/detector/index.js";
import type { Report } from "../../operator/src/detector/report.js";
import { QUICK_EVAL, simulationSetup } from "../../operator/src/detector/sim/eval-options.js";
import type { Pipeline } from "../../operator/src/detector/sim/pipeline.js";
import { runEval } from "../../operator/src/detector/sim/run-eval.js";
import { reportToken } from "../../operator/src/translate/detection.js";
import { createWasmPipeline, evalPolicySpec } from "../../wasm-filter/host/report-pipeline.js";
import { post, startFilter } from "../../wasm-filter/test/filter/harness.js";
import type { ControlPlane } from "../harness/kube/index.js";
import { pollUntil } from "../harness/poll.js";
import { deployment, RESTRICTION, startTestController, startTestControlPlane, TestCluster } from "./support.js";

const KEY = "detector-test-key-".repeat(3);
const setup = simulationSetup(QUICK_EVAL).setup;
const [NS = "", POLICY_NAME = ""] = setup.policy.split("/");

describe("cluster-wide detection: filter reports → operator detector → ClientRestrictions → filter", () => {
  let cp: ControlPlane | undefined;
  let k: TestCluster;
  let controller: Controller;
  let http: RunningHttpServer | undefined;
  let virtualNow = 0;
  let service: DetectorService;
  const metrics = new OperatorMetrics();

  before(async () => {
    cp = await startTestControlPlane();
    k = new TestCluster(cp);
    const detector = { url: "http://modelguard.modelguard-system.svc.cluster.local:8080", key: KEY };
    controller = await startTestController(cp, { detector, metrics });
    service = new DetectorService({
      detector: new ExtractionDetector({ seed: QUICK_EVAL.seed, ...QUICK_EVAL.detector }),
      key: KEY,
      client: controller.client,
      policies: controller.caches.policies,
      recorder: new EventRecorder(controller.client),
      metrics,
      log: silentLogger,
      isLeader: () => controller.isLeader(),
      // Reports carry the simulation's virtual time; the detector must see the same clock.
      now: () => virtualNow,
    });
    http = await startHttpServer({
      addr: "127.0.0.1:0",
      registry: metrics.registry,
      ready: () => true,
      healthy: () => true,
      reports: (body, auth) => service.handleReport(body, auth),
    });
  });

  after(async () => {
    await http?.close();
    await controller?.stop();
    k?.close();
    await cp?.stop();
  });

  const postReport = async (r: Report, token: string) => {
    const res = await fetch(`${http?.url}/v1/reports`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(r) });
    return res.status;
  };

  test("attackers end up blocked in the WasmPlugin and by the filter; benign clients are untouched", async () => {
    await k.createNamespace(NS);
    await k.apply(deployment(NS, "credit-risk", POLICY_NAME));
    await k.apply({ apiVersion: "modelguard.dev/v1alpha1", kind: "ModelEndpointPolicy", metadata: { name: POLICY_NAME, namespace: NS }, spec: evalPolicySpec(setup) });
    await k.waitProgrammed(NS, POLICY_NAME);

    // Traffic through the real filter; the reports its VMs send are kept in tick order.
    const ticks: { atMs: number; reports: Report[] }[] = [];
    const wasm = createWasmPipeline(setup);
    const recording: Pipeline = {
      handle: (...a) => wasm.handle(...a),
      flush: (pod, nowMs) => {
        const reports = wasm.flush(pod, nowMs);
        const last = ticks.at(-1);
        if (last && last.atMs === nowMs) last.reports.push(...reports);
        else ticks.push({ atMs: nowMs, reports });
        return reports;
      },
    };
    const sim = runEval(QUICK_EVAL, recording);
    const attackers = new Set(sim.outcomes.filter((o) => o.attacker).map((o) => o.client));
    const benign = sim.outcomes.filter((o) => !o.attacker).map((o) => o.client);

    // A report signed for another policy is refused, and changes nothing.
    const first = ticks.find((t) => t.reports.length > 0)?.reports[0];
    assert.ok(first);
    assert.equal(await postReport(first, reportToken(KEY, `${NS}/other`)), 401);

    const token = reportToken(KEY, setup.policy);
    for (const t of ticks) {
      virtualNow = t.atMs;
      for (const r of t.reports) assert.equal(await postReport(r, token), 202);
      await service.evaluateOnce();
    }

    const restrictions = await k.list(RESTRICTION, NS);
    const restricted = new Map(restrictions.map((o) => [(o.spec as { client: string }).client, o.spec as { action: string; source: string; expiresAt: string }]));
    assert.deepEqual([...restricted.keys()].filter((c) => !attackers.has(c)), [], "no benign client is restricted");
    assert.equal(restricted.size, attackers.size, "every attacker is restricted");
    for (const [, spec] of restricted) {
      assert.equal(spec.source, "Detector");
      assert.equal(spec.action, "Block");
    }
    const events = await k.events(NS);
    assert.ok(events.some((e) => e.reason === "ClientBlocked" && e.involvedObject.name === POLICY_NAME));
    assert.ok(events.some((e) => e.reason === "ExtractionSuspected"));

    // The controller puts them into the WasmPlugin; a filter loaded with that config enforces them.
    const config = await pollUntil(async () => {
      const plugin = (await k.managedObjects(NS)).find((o) => o.kind === "WasmPlugin");
      const c = (plugin?.spec as { pluginConfig?: FilterConfig } | undefined)?.pluginConfig;
      return c?.restrictions?.length === attackers.size ? c : undefined;
    }, { timeoutMs: 20_000, what: "restrictions in the WasmPlugin" });
    const f = await startFilter(evalPolicySpec(setup), { config: JSON.stringify(config) });
    // The restrictions expire relative to real time; the filter's clock starts at a fixed instant.
    f.host.clock.set(BigInt(Date.now()) * 1_000_000n);
    const row = JSON.stringify({ instances: [Array.from({ length: 12 }, () => 0.5)] });
    const ask = (client: string) => f.send(post("/v1/models/credit-risk:predict", row, { sub: client, tier: "pro" }));
    for (const a of attackers) assert.equal(ask(a).reason, "client_blocked", a);
    for (const b of benign.slice(0, 20)) assert.notEqual(ask(b).reason, "client_blocked", b);
    assert.ok((await metrics.registry.getSingleMetricAsString("modelguard_detector_findings_total")).includes('action="block"'));
  });
});
