import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startEnvoy } from "../harness/envoy/envoy.js";
import type { EnvoyProcess } from "../harness/envoy/envoy.js";
import { httpRequest } from "../harness/envoy/http.js";
import { proxyBootstrap } from "../harness/envoy/proxy-bootstrap.js";
import { startEchoUpstream } from "../harness/envoy/upstream.js";
import type { EchoUpstream } from "../harness/envoy/upstream.js";
import { freePort } from "../harness/ports.js";

const BUCKET = 3;

/** Envoy's local_ratelimit with a bucket of BUCKET tokens refilled once an hour: the refill can
 *  never happen during the test, so exactly BUCKET requests pass. */
function localRateLimitFilter(): Record<string, unknown> {
  const percent100 = { numerator: 100, denominator: "HUNDRED" };
  return {
    name: "envoy.filters.http.local_ratelimit",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
      stat_prefix: "mg_local",
      token_bucket: { max_tokens: BUCKET, tokens_per_fill: BUCKET, fill_interval: "3600s" },
      filter_enabled: { runtime_key: "mg_local_enabled", default_value: percent100 },
      filter_enforced: { runtime_key: "mg_local_enforced", default_value: percent100 },
      response_headers_to_add: [
        { append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: "x-mg-local-rate-limited", value: "true" } },
      ],
    },
  };
}

describe("Envoy local_ratelimit", () => {
  let upstream: EchoUpstream | undefined;
  let envoy: EnvoyProcess | undefined;
  let base = "";

  before(async () => {
    upstream = await startEchoUpstream();
    const listenerPort = await freePort();
    envoy = await startEnvoy({
      name: "envoy-local-rl",
      config: proxyBootstrap({ listenerPort, upstreamPort: upstream.port, httpFilters: [localRateLimitFilter()] }),
    });
    base = `http://127.0.0.1:${listenerPort}`;
  });

  after(async () => {
    await envoy?.stop();
    await upstream?.stop();
  });

  it(`passes ${BUCKET} requests, then answers 429 without reaching the upstream`, async () => {
    assert.ok(envoy && upstream);
    const statuses: number[] = [];
    for (let i = 0; i < BUCKET; i++) {
      statuses.push((await httpRequest(`${base}/predict/${i}`)).status);
    }
    assert.deepEqual(statuses, Array<number>(BUCKET).fill(200));

    const limited = await httpRequest(`${base}/predict/over`);
    assert.equal(limited.status, 429, limited.body);
    assert.equal(limited.headers["x-mg-local-rate-limited"], "true");
    assert.equal(upstream.requests.length, BUCKET);
    assert.ok(!upstream.requests.some((r) => r.path === "/predict/over"));
    assert.equal(await envoy.waitForStat("mg_local.http_local_rate_limit.rate_limited", (v) => v >= 1), 1);
  });
});
