import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { startEnvoy } from "../harness/envoy/envoy.js";
import { validateEnvoyConfig } from "../harness/envoy/validate.js";
import type { EnvoyProcess } from "../harness/envoy/envoy.js";
import { httpRequest } from "../harness/envoy/http.js";
import { proxyBootstrap } from "../harness/envoy/proxy-bootstrap.js";
import { startEchoUpstream } from "../harness/envoy/upstream.js";
import type { EchoedRequest, EchoUpstream } from "../harness/envoy/upstream.js";
import { buildProxyWasmFixture, FIXTURE_HEADER, FIXTURE_LOG_LINE } from "../harness/envoy/wasm-fixture.js";
import { wasmHttpFilter } from "../harness/envoy/wasm-http-filter.js";
import { pollUntil } from "../harness/poll.js";
import { freePort } from "../harness/ports.js";

const V8_CREATED = "wasm.envoy.wasm.runtime.v8.created";

describe("Envoy runs a proxy-wasm HTTP filter on V8 (generated module)", () => {
  let upstream: EchoUpstream | undefined;
  let envoy: EnvoyProcess | undefined;
  let base = "";

  before(async () => {
    upstream = await startEchoUpstream();
    const listenerPort = await freePort();
    envoy = await startEnvoy({
      name: "envoy-wasm-fixture",
      componentLogLevels: { wasm: "info" },
      config: proxyBootstrap({
        listenerPort,
        upstreamPort: upstream.port,
        httpFilters: [
          wasmHttpFilter({ name: "mg-fixture", code: { bytes: buildProxyWasmFixture() }, configuration: "from-plugin-config" }),
        ],
      }),
    });
    base = `http://127.0.0.1:${listenerPort}`;
  });

  after(async () => {
    await envoy?.stop();
    await upstream?.stop();
  });

  it("creates the VM with the V8 runtime and configures the plugin", async () => {
    assert.ok(envoy);
    assert.ok((await envoy.waitForStat(V8_CREATED)) >= 1);
    assert.match(envoy.logs(), new RegExp(`wasm log mg-fixture: ${FIXTURE_LOG_LINE}`));
  });

  it("runs the filter on each request and response", async () => {
    assert.ok(upstream);
    const res = await httpRequest(`${base}/v2/models/demo/infer`, { method: "POST", body: "{}" });
    assert.equal(res.status, 200, res.body);
    // Response side: added by proxy_on_response_headers, with the plugin configuration as value.
    assert.equal(res.headers[FIXTURE_HEADER], "from-plugin-config");
    // Request side: the upstream saw the header proxy_on_request_headers added.
    const echoed = JSON.parse(res.body) as EchoedRequest;
    assert.equal(echoed.headers[FIXTURE_HEADER], "from-plugin-config");
  });
});

describe("when Envoy answers proxy_http_call", () => {
  it("answers a call to a cluster without endpoints after the call returns, not inside it", async () => {
    const fixture = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "wasm-filter", "build", "fixtures", "reentrant.wasm");
    const listenerPort = await freePort();
    const noEndpoints = { name: "no-endpoints", type: "STATIC", connect_timeout: "1s", load_assignment: { cluster_name: "no-endpoints", endpoints: [] } };
    const proxy = await startEnvoy({
      name: "envoy-wasm-reentrant",
      componentLogLevels: { wasm: "info" },
      config: proxyBootstrap({
        listenerPort,
        upstreamPort: 9,
        clusters: [noEndpoints],
        httpFilters: [wasmHttpFilter({ name: "mg-reentrant", code: { file: fixture } })],
      }),
    });
    try {
      // The fixture ticks every 100 ms, making 40 calls and logging what it saw.
      const lines = await pollUntil(
        async () => {
          const found = proxy.logs().split("\n").filter((l) => /wasm log mg-reentrant: (intact|corrupted) inline=/.test(l));
          return found.length >= 3 ? found : undefined;
        },
        { timeoutMs: 15_000, what: "three ticks of the reentrant fixture" },
      );
      // Were Envoy to answer inside the call, abi/collect.ts would still hold collection until the
      // tick returned (host/reentrancy.test.ts); this records what Envoy 1.40 does.
      for (const l of lines) assert.match(l, /intact inline=0$/);
    } finally {
      await proxy.stop();
    }
  });
});

describe("envoy --mode validate", () => {
  const withModule = (bytes: Uint8Array) =>
    proxyBootstrap({ listenerPort: 10_000, upstreamPort: 10_001, httpFilters: [wasmHttpFilter({ name: "mg-validate", code: { bytes } })] });

  it("accepts a config whose wasm module loads on V8", async () => {
    const result = await validateEnvoyConfig(withModule(buildProxyWasmFixture()));
    assert.ok(result.ok, result.output);
    assert.match(result.output, /configuration '.*' OK/);
  });

  it("rejects a config whose wasm module is corrupt, saying why", async () => {
    const truncated = buildProxyWasmFixture().slice(0, 40);
    const result = await validateEnvoyConfig(withModule(truncated));
    assert.equal(result.ok, false);
    assert.match(result.output, /Unable to create Wasm plugin mg-validate/);
  });
});

// The modules `npm run build:wasm` produces. Each `<name>.wasm` gets the plugin configuration in
// `<name>.config` or `<name>.json` beside it; without one it gets an empty configuration, which a
// fail-closed filter may reject in proxy_on_configure. That still proves V8 compiled the module and
// ran its root context, which is all this harness test checks; behaviour belongs to the filter's suites.
const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "wasm-filter", "build", "fixtures");
const fixtures = existsSync(fixturesDir) ? readdirSync(fixturesDir).filter((f) => f.endsWith(".wasm")).sort() : [];
const REJECTED_BY_ON_CONFIGURE = /Failed to configure base Wasm plugin/;

function sidecarConfig(wasmPath: string): string | undefined {
  for (const ext of [".config", ".json"]) {
    const path = wasmPath.replace(/\.wasm$/, ext);
    if (existsSync(path)) return readFileSync(path, "utf8");
  }
  return undefined;
}

describe("Envoy loads the built wasm-filter modules on V8", () => {
  if (fixtures.length === 0) {
    it("loads every wasm-filter/build/fixtures/*.wasm", {
      skip: "no wasm-filter/build/fixtures/*.wasm yet (built by `npm run build:wasm`)",
    }, () => undefined);
    return;
  }
  for (const file of fixtures) {
    it(`loads ${file}`, async (t) => {
      const wasmPath = join(fixturesDir, file);
      const configuration = sidecarConfig(wasmPath);
      const upstream = await startEchoUpstream();
      let envoy: EnvoyProcess | undefined;
      try {
        const listenerPort = await freePort();
        const name = `envoy-wasm-${file.replace(/\.wasm$/, "")}`;
        const config = proxyBootstrap({
          listenerPort,
          upstreamPort: upstream.port,
          httpFilters: [wasmHttpFilter({ name: "modelguard", code: { file: wasmPath }, configuration: configuration ?? "" })],
        });
        try {
          envoy = await startEnvoy({ name, componentLogLevels: { wasm: "info" }, config });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (configuration !== undefined || !REJECTED_BY_ON_CONFIGURE.test(message)) throw err;
          t.diagnostic(`${file} loaded on V8 and rejected the empty plugin configuration (add ${file.replace(/\.wasm$/, ".config")} to run it)`);
          return;
        }
        assert.ok((await envoy.waitForStat(V8_CREATED)) >= 1);
        // Whatever the filter decides, Envoy must answer with a status (a crashed VM resets instead).
        const res = await httpRequest(`http://127.0.0.1:${listenerPort}/healthz`);
        assert.ok(res.status >= 200 && res.status < 600, `status ${res.status}`);
      } finally {
        await envoy?.stop();
        await upstream.stop();
      }
    });
  }
});
