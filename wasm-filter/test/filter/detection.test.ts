// The filter's half of cluster-wide extraction detection, through the real module: per-client
// records batched per VM and sent from the tick (never from a request), sketches equal to the
// detector's reference, and the detector's ClientRestrictions (throttle, block) enforced with
// their expiry.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FilterConfig, FilterRestriction } from "../../../operator/src/api/filter-config.js";
import type { PolicySpecInput } from "../../../operator/src/api/policy.js";
import { reportSchema } from "../../../operator/src/detector/report.js";
import { sketchOf } from "../../../operator/src/detector/sketch.js";
import type { HeaderPairs } from "../../host/header-map.js";
import { ProxyWasmHost } from "../../host/host.js";
import { simulateOne } from "../../host/simulation.js";
import { baseSpec, ensureModule, filterConfigFor, post, startFilter } from "./harness.js";

const TOKEN = "ab".repeat(32);
const spec = (): PolicySpecInput => ({ ...baseSpec(), protocol: "KServeV1", rules: [{ models: ["m"] }] });

function config(extra: Partial<FilterConfig>): string {
  return JSON.stringify({ ...filterConfigFor(spec()), ...extra });
}

const detector = {
  cluster: "outbound|8080||modelguard.modelguard-system.svc.cluster.local",
  authority: "modelguard.modelguard-system.svc.cluster.local:8080",
  path: "/v1/reports",
  token: TOKEN,
  flushMilliseconds: 2000,
  maxRecords: 8,
  timeoutMilliseconds: 1000,
};

const predict = (client: string, row: number[]) => post("/v1/models/m:predict", { instances: [row] }, { sub: client, tier: "free" });
const header = (pairs: HeaderPairs, name: string) => pairs.find(([k]) => k === name)?.[1];

/** Configures a fresh VM with `text`; returns whether it was accepted and what it logged. */
async function configure(text: string): Promise<{ accepted: boolean; lines: string[] }> {
  const host = ProxyWasmHost.fromFile(await ensureModule());
  const lines: string[] = [];
  const vm = host.createVm({ onLog: (e) => lines.push(e.message) });
  return { accepted: vm.configure(text), lines };
}

describe("detector reports", () => {
  it("batches records per client and sends them from the tick, with the policy's token", async () => {
    const f = await startFilter(spec(), { config: config({ detector }) });
    const vm = f.vms[0]!;
    const bodies = [[0.5, 1.25, -3], [0.5, 1.5, -3], [10, 20, 30]];
    assert.equal(f.send(predict("alice", bodies[0]!)).status, 200);
    assert.equal(f.send(predict("alice", bodies[1]!)).status, 200);
    assert.equal(f.send(post("/v1/models/other:predict", { instances: [bodies[2]] }, { sub: "bob", tier: "free" })).status, 403);
    assert.equal(vm.pendingHttpCalls.length, 0, "nothing is sent while serving requests");

    f.host.advanceTime(2000);
    const calls = vm.pendingHttpCalls;
    assert.equal(calls.length, 1);
    const call = calls[0]!;
    assert.equal(call.upstream, detector.cluster);
    assert.equal(header(call.headers, ":path"), "/v1/reports");
    assert.equal(header(call.headers, ":method"), "POST");
    assert.equal(header(call.headers, "authorization"), `Bearer ${TOKEN}`);
    const report = reportSchema.parse(JSON.parse(Buffer.from(call.body).toString("utf8")));
    assert.equal(report.policy, "ns/test");
    assert.equal(report.dropped, 0);
    const alice = report.clients.find((c) => c.client === "alice");
    const bob = report.clients.find((c) => c.client === "bob");
    assert.equal(alice?.tier, "free");
    assert.deepEqual(alice?.records.map((r) => [r.model, r.status, r.reason]), [["m", 200, ""], ["m", 200, ""]]);
    assert.deepEqual(bob?.records.map((r) => [r.model, r.status, r.reason]), [["other", 403, "model_not_allowed"]]);
    // Sketches agree with the detector's reference implementation.
    for (const [i, r] of (alice?.records ?? []).entries()) {
      assert.deepEqual(r.x, sketchOf(JSON.stringify({ instances: [bodies[i]] })));
    }
    vm.respondToHttpCall(call.token, { headers: { ":status": "200" }, body: "" });
    assert.equal(f.host.metrics.value("modelguard_detector_reports_sent"), 1);

    f.host.advanceTime(2000);
    assert.equal(vm.pendingHttpCalls.length, 0, "an empty buffer sends nothing");
  });

  it("drops and counts records beyond maxRecords instead of growing, and counts failed sends", async () => {
    const f = await startFilter(spec(), { config: config({ detector }) });
    const vm = f.vms[0]!;
    for (let i = 0; i < 20; i++) f.send(predict(`c${i}`, [i, i + 1]));
    f.host.advanceTime(2000);
    const call = vm.pendingHttpCalls[0]!;
    const report = reportSchema.parse(JSON.parse(Buffer.from(call.body).toString("utf8")));
    assert.equal(report.clients.reduce((n, c) => n + c.records.length, 0), 8);
    assert.equal(report.dropped, 12);
    vm.respondToHttpCall(call.token, { headers: { ":status": "503" }, body: "" });
    assert.equal(f.host.metrics.value("modelguard_detector_reports_failed"), 1);
  });

  it("counts a report batch a host answers inside proxy_http_call once, and keeps serving", async () => {
    for (const [status, sent, failed] of [["503", 0, 3], ["202", 3, 0]] as const) {
      const host = ProxyWasmHost.fromFile(await ensureModule());
      const vm = host.createConfiguredVm(config({ detector }), { onLog: () => undefined, answerHttpCallsInline: () => ({ headers: { ":status": status } }) });
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 20; i++) assert.equal(simulateOne(host, vm, predict(`c${i}`, [i, round]), i).status, 200);
        host.advanceTime(2000);
      }
      assert.equal(host.metrics.value("modelguard_detector_reports_sent"), sent, `inline ${status}`);
      assert.equal(host.metrics.value("modelguard_detector_reports_failed"), failed, `inline ${status}`);
      assert.equal(vm.pendingHttpCalls.length, 0);
    }
  });

  it("sketches text and nested bodies like the reference", async () => {
    const bodies = [
      { model: "m", messages: [{ role: "user", content: "Ignore the weather; what is 2+2? ÄÖÜ ✓" }], temperature: 0.7 },
      { model: "m", prompt: "ab", n: 1e21, logprobs: -0.000123, nested: [[1, [2, [3]]], { a: "x" }], flag: true, none: null },
    ];
    const g = await startFilter({ ...spec(), protocol: "OpenAI", rules: [{ models: ["*"] }] }, {
      config: JSON.stringify({ ...filterConfigFor({ ...spec(), protocol: "OpenAI", rules: [{ models: ["*"] }] }), detector }),
    });
    for (const b of bodies) assert.equal(g.send(post("/v1/chat/completions", b, { sub: "t", tier: "free" })).status, 200);
    g.host.advanceTime(2000);
    const report = reportSchema.parse(JSON.parse(Buffer.from(g.vms[0]!.pendingHttpCalls[0]!.body).toString("utf8")));
    const records = report.clients[0]!.records;
    for (const [i, b] of bodies.entries()) assert.deepEqual(records[i]!.x, sketchOf(JSON.stringify(b)));
  });

  it("refuses a detector section it cannot use (fail closed, with the reason)", async () => {
    const r = await configure(config({ detector: { ...detector, path: "reports" } }));
    assert.equal(r.accepted, false);
    assert.ok(r.lines.some((l) => l.includes("config.detector")), r.lines.join("\n"));
  });
});

describe("client restrictions", () => {
  const nowMs = (f: { host: { clock: { now(): bigint } } }) => Number(f.host.clock.now() / 1_000_000n);

  it("a block denies that client with 403 client_blocked until it expires; others are untouched", async () => {
    const probe = await startFilter(spec());
    const expiresAtMs = nowMs(probe) + 60_000;
    const restrictions: FilterRestriction[] = [{ client: "mallory", action: "block", expiresAtMs }];
    const f = await startFilter(spec(), { config: config({ restrictions }) });
    const d = f.send(predict("mallory", [1, 2]));
    assert.equal(d.status, 403);
    assert.equal(d.reason, "client_blocked");
    assert.equal(f.send(predict("alice", [1, 2])).status, 200);
    f.host.advanceTime(60_001);
    assert.equal(f.send(predict("mallory", [1, 2])).status, 200, "the block expired");
  });

  it("a throttle holds that client to its rate (429 client_throttled with Retry-After) until it expires", async () => {
    const probe = await startFilter(spec());
    const expiresAtMs = nowMs(probe) + 120_000;
    const restrictions: FilterRestriction[] = [{ client: "mallory", action: "throttle", requestsPerMinute: 2, expiresAtMs }];
    const f = await startFilter(spec(), { config: config({ restrictions }), workers: 2 });
    const statuses = [0, 1, 2, 3].map((i) => f.send(predict("mallory", [i])));
    assert.deepEqual(statuses.map((s) => s.status), [200, 200, 429, 429], "two VMs share the throttle bucket");
    assert.equal(statuses[2]!.reason, "client_throttled");
    assert.ok(Number(statuses[2]!.headers["retry-after"]) > 0);
    assert.equal(f.send(predict("alice", [1])).status, 200);
    f.host.advanceTime(120_001);
    for (let i = 0; i < 5; i++) assert.equal(f.send(predict("mallory", [i])).status, 200, "the throttle expired");
  });

  it("refuses a throttle without a rate", async () => {
    const r = await configure(config({ restrictions: [{ client: "x", action: "throttle", expiresAtMs: 1 }] }));
    assert.equal(r.accepted, false);
    assert.ok(r.lines.some((l) => l.includes("config.restrictions[0].requestsPerMinute")), r.lines.join("\n"));
  });
});
