// A rehearsal of the kind run's traffic checks on this machine: the in-mesh runner (traffic.ts, as
// a process, exactly as the e2e-client image runs it) against a real Envoy started from
// `modelguard render --target envoy` for the same end-to-end policy. That bootstrap has the
// sidecar's order (jwt_authn → RBAC → the filter → the sample model server), so every check holds
// here except the mesh identity one: without mutual TLS the policy's `callers` cannot be enforced,
// and the stranger's check must fail, which also shows the runner reports a failure. The Envoy
// keeps only the stats istio-operator.yaml's proxyStatsMatcher includes, as the sidecars would.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { runRender } from "../../operator/src/cli/render.js";
import { makeKeys } from "../envoy/cases.js";
import { startEnvoy } from "../harness/envoy/envoy.js";
import type { EnvoyProcess } from "../harness/envoy/envoy.js";
import { startModelServer } from "../harness/model-server/server.js";
import type { ModelServer } from "../harness/model-server/server.js";
import { freePort } from "../harness/ports.js";
import { assertFilterMetrics } from "./filter-metrics.js";
import { keysToJson } from "./keys-file.js";
import { e2ePolicy } from "./policy.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const WASM = join(ROOT, "wasm-filter/build/modelguard.wasm");
const RUNNER = join(ROOT, "test/e2e-kind/traffic.ts");
const ISTIO_OPERATOR = join(ROOT, "test/e2e-kind/istio-operator.yaml");

/** The mesh's proxyStatsMatcher.inclusionPrefixes as an Envoy stats_config (Istio adds its own
 *  required prefixes too; this Envoy keeps only ours, so they alone must let the counters through). */
function meshStatsConfig(): Record<string, unknown> {
  const operator = parse(readFileSync(ISTIO_OPERATOR, "utf8")) as {
    spec?: { meshConfig?: { defaultConfig?: { proxyStatsMatcher?: { inclusionPrefixes?: string[] } } } };
  };
  const prefixes = operator.spec?.meshConfig?.defaultConfig?.proxyStatsMatcher?.inclusionPrefixes ?? [];
  assert.ok(prefixes.length > 0, "istio-operator.yaml sets proxyStatsMatcher.inclusionPrefixes");
  return { stats_matcher: { inclusion_list: { patterns: prefixes.map((prefix) => ({ prefix })) } } };
}

async function ensureWasm(): Promise<void> {
  if (existsSync(WASM)) return;
  const build = (await import(new URL("../../wasm-filter/scripts/build.mjs", import.meta.url).href)) as {
    buildEntry: (e: { name: string; source: string; output: string }) => Promise<string>;
  };
  await build.buildEntry({ name: "modelguard", source: "assembly/index.ts", output: "build/modelguard.wasm" });
}

interface RunnerResult {
  code: number | null;
  output: string;
}

/** The runner as its own process, TAP on stdout. NODE_TEST_CONTEXT is dropped: with it the child's
 *  node:test would report to this test runner instead of printing. */
function runRunner(args: string[]): Promise<RunnerResult> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--test-reporter=tap", RUNNER, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** `# pass N` / `# fail N` from the TAP summary. */
function tapCount(output: string, key: "pass" | "fail"): number {
  const m = new RegExp(`^# ${key} (\\d+)$`, "m").exec(output);
  assert.ok(m?.[1] !== undefined, `no "# ${key}" line in the runner's output:\n${output}`);
  return Number(m[1]);
}

describe("the kind run's traffic runner against a rendered Envoy with the same policy", () => {
  let dir = "";
  let model: ModelServer | undefined;
  let envoy: EnvoyProcess | undefined;
  let baseUrl = "";
  let keysFile = "";

  before(async () => {
    await ensureWasm();
    dir = mkdtempSync(join(tmpdir(), "mg-e2e-kind-"));
    const keys = await makeKeys();
    const policyFile = join(dir, "policy.yaml");
    writeFileSync(policyFile, stringify(e2ePolicy(keys.jwks)));
    keysFile = join(dir, "keys.json");
    writeFileSync(keysFile, await keysToJson(keys));

    model = await startModelServer();
    const listenerPort = await freePort();
    let out = "";
    let err = "";
    const code = runRender(
      ["--target", "envoy", "-f", policyFile, "-o", "json", "--listener-address", "127.0.0.1", "--listener-port", String(listenerPort),
        "--upstream", `127.0.0.1:${model.port}`, "--wasm-file", WASM],
      { out: (s) => (out += s), err: (s) => (err += s) },
    );
    assert.equal(code, 0, `render --target envoy: ${err}`);
    const config = { ...(JSON.parse(out) as Record<string, unknown>), stats_config: meshStatsConfig() };
    envoy = await startEnvoy({ name: "envoy-e2e-kind-rehearsal", config });
    baseUrl = `http://127.0.0.1:${listenerPort}`;
  });

  after(async () => {
    await envoy?.stop();
    await model?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("an allowed caller's checks all pass, and exit 0", async (t) => {
    const run = await runRunner(["--as", "caller", "--keys", keysFile, "--base-url", baseUrl, "--ready-timeout", "30"]);
    t.diagnostic(run.output.split("\n").filter((l) => /^(not )?ok /.test(l.trim())).join(" | "));
    assert.equal(run.code, 0, run.output);
    assert.equal(tapCount(run.output, "fail"), 0, run.output);
    assert.ok(tapCount(run.output, "pass") >= 8, run.output);
  });

  it("the filter's counters those checks moved are on /stats/prometheus, kept by the mesh's stats matcher", async () => {
    assert.ok(envoy);
    assertFilterMetrics(await envoy.prometheusStats());
  });

  it("the stranger's check fails without mutual TLS (callers unenforced), and the runner exits 1", async () => {
    const run = await runRunner(["--as", "stranger", "--keys", keysFile, "--base-url", baseUrl]);
    assert.equal(run.code, 1, run.output);
    assert.equal(tapCount(run.output, "fail"), 1, run.output);
    assert.match(run.output, /stranger with a valid token: 200/);
  });

  it("refuses to run without --as or --keys (exit 2)", async () => {
    const run = await runRunner(["--keys", keysFile]);
    assert.equal(run.code, 2, run.output);
    assert.match(run.output, /usage: traffic\.js --as caller\|stranger/);
  });
});
