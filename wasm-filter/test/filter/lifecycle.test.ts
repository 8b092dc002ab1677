// Configuration, metrics and audit lines of the real filter.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { DENY_REASON_CODES } from "../../../operator/src/api/reasons.js";
import { ProxyWasmHost } from "../../host/host.js";
import { WasmResult } from "../../host/abi.js";
import { baseSpec, chat, ensureModule, filterConfigFor, startFilter } from "./harness.js";

const GOLDENS = fileURLToPath(new URL("../../../operator/src/testdata/translate/", import.meta.url));

describe("configuration", () => {
  it("every filter config in the translator goldens loads in the filter", async () => {
    const host = ProxyWasmHost.fromFile(await ensureModule());
    let loaded = 0;
    for (const f of readdirSync(GOLDENS).filter((n) => n.endsWith(".out.yaml"))) {
      const out = parse(readFileSync(GOLDENS + f, "utf8")) as { objects: { kind: string; spec: { pluginConfig: unknown } }[] };
      for (const o of out.objects.filter((x) => x.kind === "WasmPlugin")) {
        const vm = host.createVm({ onLog: () => undefined });
        assert.equal(vm.configure(JSON.stringify(o.spec.pluginConfig)), true, f);
        loaded++;
      }
    }
    assert.ok(loaded >= 6, `only ${loaded} configs`);
  });

  const bad: [string, (c: Record<string, unknown>) => unknown][] = [
    ["not JSON", () => "{"],
    ["empty", () => ""],
    ["wrong version", (c) => ({ ...c, version: 2 })],
    ["unknown protocol", (c) => ({ ...c, protocol: "grpc" })],
    ["missing tiers", (c) => ({ ...c, tiers: undefined })],
    ["rule naming an unknown tier", (c) => ({ ...c, rules: [{ name: "r", models: ["*"], tiers: ["gold"], scopes: [], claims: [], methods: [], paths: [] }] })],
    ["bad field path", (c) => ({ ...c, payload: { ...(c.payload as object), fields: [{ path: "a[", required: false }] } })],
    ["negative body limit", (c) => ({ ...c, payload: { ...(c.payload as object), maxBodyBytes: -1 } })],
    ["no client table", (c) => ({ ...c, maxClients: 0 })],
    ["a client table over 16 Mi slots", (c) => ({ ...c, maxClients: (1 << 24) + 1 })],
  ];
  for (const [name, mutate] of bad) {
    it(`refuses a bad configuration (${name}), says why, and fails closed`, async () => {
      const good = filterConfigFor(baseSpec()) as unknown as Record<string, unknown>;
      const m = mutate(good);
      const text = typeof m === "string" ? m : JSON.stringify(m);
      const host = ProxyWasmHost.fromFile(await ensureModule());
      const lines: string[] = [];
      const vm = host.createVm({ onLog: (e) => lines.push(e.message) });
      assert.equal(vm.configure(text), false);
      assert.ok(lines.some((l) => l.includes("configuration rejected, failing closed")), lines.join("\n"));
      assert.equal(host.metrics.value("modelguard_config_rejected"), 1);
    });
  }
});

describe("metrics and audit", () => {
  it("counts allows and denials per reason, under fixed names", async () => {
    const f = await startFilter({ ...baseSpec(), rules: [{ models: ["ok"] }] });
    f.send(chat("ok", "x"));
    f.send(chat("ok", "x"));
    f.send(chat("no", "x"));
    f.send(chat("ok", "x", {}, null));
    assert.equal(f.host.metrics.value("modelguard_requests_allowed"), 2);
    assert.equal(f.host.metrics.value("modelguard_requests_denied_model_not_allowed"), 1);
    assert.equal(f.host.metrics.value("modelguard_requests_denied_unauthenticated"), 1);
    for (const code of DENY_REASON_CODES) assert.notEqual(f.host.metrics.value(`modelguard_requests_denied_${code}`), undefined, code);
  });

  it("writes one JSON audit line per denial, without tokens, keys or bodies", async () => {
    const f = await startFilter({ ...baseSpec(), audit: { allowSamplePercent: 0 }, rules: [{ models: ["ok"] }] });
    const secretPrompt = "my-secret-prompt-text";
    f.send({ ...chat("no", secretPrompt, {}, { sub: "alice", tier: "free" }), headers: { "content-type": "application/json", authorization: "Bearer SECRET.TOKEN.VALUE", "x-request-id": "req-1" } });
    f.send(chat("ok", secretPrompt));
    const audits = f.logs.filter((l) => l.includes('"modelguard":"audit"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(audits.length, 1, "sample 0%: only the denial");
    assert.deepEqual({ ...audits[0], ts: 0 }, {
      modelguard: "audit", ts: 0, policy: "ns/test", decision: "deny", reason: "model_not_allowed", status: 403,
      client: "alice", tier: "free", model: "no", method: "POST", path: "/v1/chat/completions", requestId: "req-1",
    });
    const all = f.logs.join("\n");
    assert.ok(!all.includes("SECRET.TOKEN") && !all.includes(secretPrompt));
  });

  it("samples allowed requests at the configured rate", async () => {
    const f = await startFilter({ ...baseSpec(), audit: { allowSamplePercent: 25 } });
    for (let i = 0; i < 400; i++) f.send(chat("m", "x", {}, { sub: `c${i % 7}`, tier: "free" }));
    const allows = f.logs.filter((l) => l.includes('"decision":"allow"')).length;
    assert.ok(allows > 60 && allows < 140, `${allows} of 400 sampled at 25%`);
  });
});

describe("failure mode", () => {
  // Shared data failing (not a CAS conflict) is an internal error the client did not cause.
  const breakSharedData = (f: Awaited<ReturnType<typeof startFilter>>) => {
    f.host.sharedData.set = () => WasmResult.InternalFailure;
  };

  it("Closed (default): an internal error denies with 500 internal_error", async () => {
    const f = await startFilter({ ...baseSpec(), tiers: [{ name: "free", requestsPerMinute: 100 }] });
    breakSharedData(f);
    const d = f.send(chat("m", "x"));
    assert.equal(d.status, 500);
    assert.equal(d.reason, "internal_error");
  });

  it("Open: an internal error lets the request through and is counted", async () => {
    const f = await startFilter({ ...baseSpec(), failureMode: "Open", tiers: [{ name: "free", requestsPerMinute: 100 }] });
    breakSharedData(f);
    assert.equal(f.send(chat("m", "x")).status, 200);
    assert.equal(f.host.metrics.value("modelguard_requests_failed_open"), 1);
  });

  it("Open never turns a policy denial into an allow", async () => {
    const f = await startFilter({ ...baseSpec(), failureMode: "Open", rules: [{ models: ["ok"] }] });
    assert.equal(f.send(chat("nope", "x")).reason, "model_not_allowed");
    assert.equal(f.send(chat("ok", "x", {}, null)).reason, "unauthenticated");
  });
});
