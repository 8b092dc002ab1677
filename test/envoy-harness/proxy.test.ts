import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startEnvoy } from "../harness/envoy/envoy.js";
import type { EnvoyProcess } from "../harness/envoy/envoy.js";
import { httpRequest } from "../harness/envoy/http.js";
import { proxyBootstrap } from "../harness/envoy/proxy-bootstrap.js";
import { startEchoUpstream } from "../harness/envoy/upstream.js";
import type { EchoedRequest, EchoUpstream } from "../harness/envoy/upstream.js";
import { freePort } from "../harness/ports.js";

describe("real Envoy proxies HTTP to a Node upstream", () => {
  let upstream: EchoUpstream | undefined;
  let envoy: EnvoyProcess | undefined;
  let base = "";

  before(async () => {
    upstream = await startEchoUpstream();
    const listenerPort = await freePort();
    envoy = await startEnvoy({
      name: "envoy-proxy",
      config: proxyBootstrap({ listenerPort, upstreamPort: upstream.port }),
    });
    base = `http://127.0.0.1:${listenerPort}`;
  });

  after(async () => {
    await envoy?.stop();
    await upstream?.stop();
  });

  it("forwards method, path, headers and body, and answers with the upstream's reply", async () => {
    const body = JSON.stringify({ model: "demo", input: "hello" });
    const res = await httpRequest(`${base}/v1/models/demo:predict?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-test": "proxied" },
      body,
    });
    assert.equal(res.status, 200, res.body);
    // Envoy rewrites `server` on responses it proxies.
    assert.equal(res.headers.server, "envoy");
    const echoed = JSON.parse(res.body) as EchoedRequest;
    assert.equal(echoed.method, "POST");
    assert.equal(echoed.path, "/v1/models/demo:predict?x=1");
    assert.equal(echoed.bodyLength, Buffer.byteLength(body));
    assert.equal(echoed.headers["x-test"], "proxied");
    assert.equal(echoed.headers["content-type"], "application/json");
    // Added by Envoy, so the request really went through it.
    assert.match(String(echoed.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
    assert.equal(echoed.headers["x-forwarded-proto"], "http");
  });

  it("exposes admin stats in JSON and Prometheus form", async () => {
    assert.ok(envoy);
    const upstreamRequests = await envoy.waitForStat("cluster.upstream.upstream_rq_200", (v) => v >= 1);
    assert.ok(upstreamRequests >= 1);
    const stats = await envoy.stats("^http\\.ingress\\.");
    assert.ok((stats.get("http.ingress.downstream_rq_completed") ?? 0) >= 1, [...stats.keys()].join(", "));
    assert.match(await envoy.prometheusStats(), /^envoy_cluster_upstream_rq_total\{envoy_cluster_name="upstream"\} \d+$/m);
    assert.equal(await envoy.stat("no.such.stat"), undefined);
    assert.equal(await envoy.listenerPort("ingress"), Number(new URL(base).port));
  });
});

describe("several Envoys at once", () => {
  it("run side by side with distinct base ids and admin ports", async () => {
    const upstream = await startEchoUpstream();
    const envoys: EnvoyProcess[] = [];
    try {
      for (const name of ["envoy-side-a", "envoy-side-b"]) {
        // Port 0: the kernel picks the listener port and the harness reads it back from admin.
        envoys.push(await startEnvoy({ name, config: proxyBootstrap({ listenerPort: 0, upstreamPort: upstream.port }) }));
      }
      const [a, b] = envoys;
      assert.ok(a && b);
      assert.notEqual(a.baseId, b.baseId);
      assert.notEqual(a.adminUrl, b.adminUrl);
      for (const envoy of envoys) {
        const port = await envoy.listenerPort("ingress");
        const res = await httpRequest(`http://127.0.0.1:${port}/via/${envoy.name}`);
        assert.equal(res.status, 200, res.body);
        assert.equal((JSON.parse(res.body) as EchoedRequest).path, `/via/${envoy.name}`);
      }
      assert.equal(upstream.requests.length, 2);
    } finally {
      await Promise.all(envoys.map((e) => e.stop()));
      await upstream.stop();
    }
  });

  it("fails fast with Envoy's own message when the config is invalid", async () => {
    await assert.rejects(
      startEnvoy({
        name: "envoy-bad-config",
        config: { static_resources: { clusters: [{ name: "x", type: "NO_SUCH_TYPE" }] } },
      }),
      (err: Error) => {
        assert.match(err.message, /envoy-bad-config exited/);
        assert.match(err.message, /NO_SUCH_TYPE/);
        return true;
      },
    );
  });
});
