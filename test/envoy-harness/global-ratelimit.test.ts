import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startEnvoy } from "../harness/envoy/envoy.js";
import type { EnvoyProcess } from "../harness/envoy/envoy.js";
import { httpRequest } from "../harness/envoy/http.js";
import { loopbackCluster, proxyBootstrap } from "../harness/envoy/proxy-bootstrap.js";
import { startRateLimit } from "../harness/envoy/ratelimit.js";
import type { RateLimitDomainConfig, RateLimitProcess } from "../harness/envoy/ratelimit.js";
import { startRedis } from "../harness/envoy/redis.js";
import type { RedisProcess } from "../harness/envoy/redis.js";
import { startEchoUpstream } from "../harness/envoy/upstream.js";
import type { EchoUpstream } from "../harness/envoy/upstream.js";
import { awaitFreshMinute } from "../harness/envoy/ratelimit-window.js";
import { freePort } from "../harness/ports.js";

const DOMAIN = "mg-harness";
const LIMIT = 4;

const descriptors: RateLimitDomainConfig = {
  domain: DOMAIN,
  descriptors: [{ key: "generic_key", value: "model-a", rate_limit: { unit: "minute", requests_per_unit: LIMIT } }],
};

/** Envoy's global rate limit filter, asking the ratelimit service over gRPC (cluster "ratelimit"). */
function globalRateLimitFilter(): Record<string, unknown> {
  return {
    name: "envoy.filters.http.ratelimit",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
      domain: DOMAIN,
      // An unreachable service would answer 500, never a 429 or a pass, so the test can tell.
      failure_mode_deny: true,
      timeout: "5s",
      rate_limit_service: { transport_api_version: "V3", grpc_service: { envoy_grpc: { cluster_name: "ratelimit" } } },
    },
  };
}

describe("global rate limiting: two Envoys share one ratelimit service and Redis", () => {
  let upstream: EchoUpstream | undefined;
  let redis: RedisProcess | undefined;
  let rls: RateLimitProcess | undefined;
  const envoys: EnvoyProcess[] = [];
  const bases: string[] = [];

  before(async () => {
    upstream = await startEchoUpstream();
    redis = await startRedis({ name: "redis-global-rl" });
    rls = await startRateLimit({ name: "ratelimit-global", redis, config: descriptors });
    for (const name of ["envoy-global-a", "envoy-global-b"]) {
      const listenerPort = await freePort();
      envoys.push(
        await startEnvoy({
          name,
          config: proxyBootstrap({
            listenerPort,
            upstreamPort: upstream.port,
            httpFilters: [globalRateLimitFilter()],
            routeAction: { rate_limits: [{ actions: [{ generic_key: { descriptor_value: "model-a" } }] }] },
            clusters: [loopbackCluster("ratelimit", rls.grpcPort, { http2: true })],
          }),
        }),
      );
      bases.push(`http://127.0.0.1:${listenerPort}`);
    }
  });

  after(async () => {
    await Promise.all(envoys.map((e) => e.stop()));
    await rls?.stop();
    await redis?.stop();
    await upstream?.stop();
  });

  it("loads the descriptor config", async () => {
    assert.ok(rls);
    assert.match(await rls.loadedConfig(), new RegExp(`${DOMAIN}\\.generic_key_model-a: unit=MINUTE requests_per_unit=${LIMIT}`));
  });

  it(`counts across both Envoys: request ${LIMIT + 1}, sent to the other Envoy, gets 429`, async () => {
    assert.ok(upstream && redis);
    const [a, b] = bases;
    assert.ok(a !== undefined && b !== undefined);
    await awaitFreshMinute();

    // LIMIT requests alternating between the Envoys all pass...
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await httpRequest(`${i % 2 === 0 ? a : b}/predict/${i}`);
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, Array<number>(LIMIT).fill(200));

    // ...and the next one, on the Envoy that did not send the last request, is over the shared limit.
    const overVia = LIMIT % 2 === 0 ? a : b;
    const lastVia = (LIMIT - 1) % 2 === 0 ? a : b;
    assert.notEqual(overVia, lastVia);
    const limited = await httpRequest(`${overVia}/predict/over`);
    assert.equal(limited.status, 429, limited.body);
    assert.equal(limited.headers["x-envoy-ratelimited"], "true");
    // The other Envoy is over the limit too.
    assert.equal((await httpRequest(`${lastVia}/predict/over-again`)).status, 429);
    assert.equal(upstream.requests.length, LIMIT);

    // The counter lives in Redis: <domain>_<key>_<value>_<window start>.
    const keys = await redis.command("KEYS", `${DOMAIN}_generic_key_model-a_*`);
    assert.ok(Array.isArray(keys) && keys.length === 1, JSON.stringify(keys));
    const [envoyA, envoyB] = envoys;
    assert.ok(envoyA && envoyB);
    assert.equal(await envoyA.waitForStat("cluster.upstream.ratelimit.over_limit", (v) => v >= 1), 1);
    assert.equal(await envoyB.waitForStat("cluster.upstream.ratelimit.over_limit", (v) => v >= 1), 1);
  });

  it("reloads a changed descriptor config, and reports a rejected one with the service's message", async () => {
    assert.ok(rls);
    const extra: RateLimitDomainConfig = {
      domain: "mg-harness-extra",
      descriptors: [{ key: "tier", value: "free", rate_limit: { unit: "hour", requests_per_unit: 10 } }],
    };
    await rls.updateConfig([descriptors, extra]);
    assert.match(await rls.loadedConfig(), /mg-harness-extra\.tier_free: unit=HOUR requests_per_unit=10/);

    const bad = "domain: mg-bad\ndescriptors:\n  - key: k\n    rate_limit: { unit: fortnight, requests_per_unit: 1 }\n";
    await assert.rejects(rls.updateConfig([descriptors, bad]), /rejected its descriptor config: .*fortnight/);
    // The service keeps serving its last good config (the files are replaced one by one, so that
    // is whatever it loaded just before reading the bad file).
    const kept = await rls.loadedConfig();
    assert.match(kept, /mg-harness\.generic_key_model-a/);
    assert.doesNotMatch(kept, /mg-bad/);
  });

  it("fails fast when the initial descriptor config is rejected", async () => {
    assert.ok(redis);
    await assert.rejects(
      startRateLimit({
        name: "ratelimit-bad-config",
        redis,
        config: "domain: mg-bad\ndescriptors:\n  - key: k\n    rate_limit: { unit: fortnight, requests_per_unit: 1 }\n",
      }),
      /ratelimit-bad-config rejected its descriptor config: .*fortnight/,
    );
  });
});
