// The optional ratelimit service and Redis (ratelimit.enabled): the rendered objects wire up as the
// policies and the operator expect, and the real ratelimit service and redis-server, started with
// the chart's own environment and arguments, load the operator's descriptors from a ConfigMap
// volume laid out as the kubelet does and follow its updates.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { globalRateLimitSchema } from "../../operator/src/api/policy-protection.js";
import { loadManifests } from "../../operator/src/cli/manifests.js";
import { sortInputs } from "../../operator/src/cli/inputs.js";
import { RATELIMIT_CONFIG_LABEL } from "../../operator/src/api/constants.js";
import { translate } from "../../operator/src/translate/translate.js";
import { ratelimitBinary, redisServerBinary } from "../harness/envoy/binaries.js";
import { httpRequest } from "../harness/envoy/http.js";
import { redisCommand } from "../harness/envoy/resp.js";
import { waitReady } from "../harness/envoy/wait-ready.js";
import { makeWorkDir, removeWorkDir } from "../harness/envoy/work-dir.js";
import { pollUntil } from "../harness/poll.js";
import { freePort } from "../harness/ports.js";
import { startProcess, type ManagedProcess } from "../harness/process.js";
import { ConfigMapVolume } from "./configmap-volume.js";
import { envOf, find, get, NAMESPACE, podSpec, render, type Container, type Rendered } from "./render.js";
import { REPO_ROOT } from "./tools.js";

const CONFIG_MAP = "modelguard-ratelimit-config";
const on = () => render(["--set", "ratelimit.enabled=true"]);

const container = (deploy: Rendered, name: string): Container => {
  const c = podSpec(deploy).containers.find((x) => x.name === name);
  assert.ok(c, `container ${name}`);
  return c;
};

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const podLabels = (deploy: Rendered) => (deploy.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;

describe("ratelimit objects", () => {
  it("nothing of it by default", () => {
    const objs = render();
    assert.deepEqual(objs.filter((o) => /ratelimit|redis/.test(o.metadata.name)).map((o) => `${o.kind}/${o.metadata.name}`), []);
  });

  it("the Service answers at the policies' default address for release modelguard in modelguard-system", () => {
    const objs = on();
    const [host, port] = globalRateLimitSchema.parse({}).service.split(":");
    const [name, namespace] = (host ?? "").split(".");
    const svc = get(objs, "Service", name ?? "");
    assert.equal(svc.metadata.namespace, namespace);
    assert.equal(namespace, NAMESPACE);
    const spec = svc.spec as { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string; appProtocol?: string }[] };
    const grpc = spec.ports.find((p) => p.port === Number(port));
    assert.deepEqual(grpc, { name: "grpc", port: 8081, targetPort: "grpc", protocol: "TCP", appProtocol: "grpc" });
    const deploys = find(objs, "Deployment");
    assert.deepEqual(deploys.filter((d) => matches(spec.selector, podLabels(d))).map((d) => d.metadata.name), ["modelguard-ratelimit"], "selects the ratelimit pods only");
    const rl = container(get(objs, "Deployment", "modelguard-ratelimit"), "ratelimit");
    assert.equal(rl.ports?.find((p) => p.name === "grpc")?.containerPort, 8081);
    assert.equal(envOf(rl).get("GRPC_PORT"), "8081");
    // The operator's Service must not pick up the new pods.
    const operatorSvc = get(objs, "Service", "modelguard");
    const opSelector = (operatorSvc.spec as { selector: Record<string, string> }).selector;
    assert.deepEqual(deploys.filter((d) => matches(opSelector, podLabels(d))).map((d) => d.metadata.name), ["modelguard"]);
  });

  it("the operator keeps the one descriptor ConfigMap the service mounts, with RBAC for that object only", () => {
    const objs = on();
    const args = container(get(objs, "Deployment", "modelguard"), "operator").args ?? [];
    assert.equal(args[args.indexOf("--ratelimit-config-map") + 1], `${NAMESPACE}/${CONFIG_MAP}`);
    const cm = get(objs, "ConfigMap", CONFIG_MAP);
    assert.equal(cm.metadata.namespace, NAMESPACE);
    assert.ok(!("data" in cm) && !("binaryData" in cm), "no data: helm upgrade must not own or wipe the operator's keys");
    assert.equal(cm.metadata.annotations?.["helm.sh/resource-policy"], undefined);

    const deploy = get(objs, "Deployment", "modelguard-ratelimit");
    const rl = container(deploy, "ratelimit");
    const env = envOf(rl);
    const volume = podSpec(deploy).volumes?.find((v) => v.configMap?.name === CONFIG_MAP);
    assert.ok(volume);
    const mount = rl.volumeMounts?.find((m) => m.name === volume.name);
    assert.deepEqual(mount, { name: volume.name, mountPath: join(env.get("RUNTIME_ROOT") ?? "", env.get("RUNTIME_SUBDIRECTORY") ?? "", env.get("RUNTIME_APPDIRECTORY") ?? ""), readOnly: true });
    assert.equal(mount.mountPath, "/data/ratelimit/config");
    for (const [k, v] of [["RUNTIME_WATCH_ROOT", "false"], ["RUNTIME_IGNOREDOTFILES", "true"], ["USE_STATSD", "false"], ["REDIS_SOCKET_TYPE", "tcp"]]) assert.equal(env.get(k ?? ""), v, k);

    const role = get(objs, "Role", "modelguard-ratelimit-config");
    assert.deepEqual(role.rules, [{ apiGroups: [""], resources: ["configmaps"], resourceNames: [CONFIG_MAP], verbs: ["get", "patch", "update"] }]);
    const binding = get(objs, "RoleBinding", "modelguard-ratelimit-config");
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "modelguard", namespace: NAMESPACE }]);
  });

  it("hardened pods: non-root, read-only root file system, no API token, resources and probes", () => {
    const objs = on();
    for (const [deployName, name] of [["modelguard-ratelimit", "ratelimit"], ["modelguard-redis", "redis"]] as const) {
      const deploy = get(objs, "Deployment", deployName);
      const spec = podSpec(deploy);
      assert.equal(spec.automountServiceAccountToken, false, deployName);
      assert.equal(spec.securityContext?.runAsNonRoot, true, deployName);
      const c = container(deploy, name);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, deployName);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, deployName);
      assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] }, deployName);
      assert.ok(c.resources.requests && c.resources.limits, deployName);
      assert.ok(c.readinessProbe && c.livenessProbe, deployName);
      assert.match(c.image, name === "ratelimit" ? /^envoyproxy\/ratelimit:3fb70258$/ : /^redis:\d+\.\d+\.\d+-alpine$/);
    }
    const redis = get(objs, "Deployment", "modelguard-redis");
    const dataMount = container(redis, "redis").volumeMounts?.find((m) => m.mountPath === "/data");
    assert.ok(podSpec(redis).volumes?.some((v) => v.name === dataMount?.name && v.emptyDir), "Redis writes only to an emptyDir");
    assert.equal(envOf(container(get(objs, "Deployment", "modelguard-ratelimit"), "ratelimit")).get("REDIS_URL"), `modelguard-redis.${NAMESPACE}.svc.cluster.local:6379`);
  });

  it("only the ratelimit pods may reach Redis (NetworkPolicy)", () => {
    const objs = on();
    const np = get(objs, "NetworkPolicy", "modelguard-redis");
    const spec = np.spec as { podSelector: { matchLabels: Record<string, string> }; ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[]; ports: { port: string }[] }[] };
    assert.ok(matches(spec.podSelector.matchLabels, podLabels(get(objs, "Deployment", "modelguard-redis"))));
    assert.equal(spec.ingress.length, 1);
    const from = spec.ingress[0]?.from ?? [];
    assert.equal(from.length, 1);
    const admitted = find(objs, "Deployment").filter((d) => matches(from[0]?.podSelector.matchLabels ?? {}, podLabels(d)));
    assert.deepEqual(admitted.map((d) => d.metadata.name), ["modelguard-ratelimit"]);
    assert.deepEqual(spec.ingress[0]?.ports.map((p) => p.port), ["tcp-redis"]);
    assert.equal(find(render(["--set", "ratelimit.enabled=true", "--set", "ratelimit.redis.networkPolicy.enabled=false"]), "NetworkPolicy").length, 0);
  });

  it("ratelimit.redis.url: an external Redis and no Redis objects", () => {
    const objs = render(["--set", "ratelimit.enabled=true", "--set", "ratelimit.redis.url=redis.cache.svc.cluster.local:6380"]);
    assert.deepEqual(objs.filter((o) => o.metadata.name.includes("redis")).map((o) => o.kind), []);
    assert.equal(envOf(container(get(objs, "Deployment", "modelguard-ratelimit"), "ratelimit")).get("REDIS_URL"), "redis.cache.svc.cluster.local:6380");
  });
});

/** The descriptor files the operator puts in the aggregate ConfigMap: one key per policy with a
 *  global rate limit, `<namespace>.<policy>.yaml`, as the translator renders them for the examples. */
function exampleDescriptors(): Record<string, string> {
  const inputs = sortInputs(loadManifests(["examples/llm-chat.yaml", "examples/multi-model-kserve.yaml"].map((f) => join(REPO_ROOT, f))), "default");
  const data: Record<string, string> = {};
  for (const p of inputs.policies) {
    const t = translate({ policy: p.object, deployments: inputs.deployments, secrets: inputs.secrets, wasm: { url: "file:///modelguard.wasm" } });
    assert.ok(t.accepted, JSON.stringify(t.diagnostics));
    for (const o of t.objects.filter((x) => x.kind === "ConfigMap" && x.metadata.labels?.[RATELIMIT_CONFIG_LABEL] === "true")) {
      Object.assign(data, (o as unknown as { data: Record<string, string> }).data);
    }
  }
  assert.equal(Object.keys(data).length, 2, Object.keys(data).join(" "));
  return data;
}

describe("the real ratelimit service and redis-server with the chart's settings", () => {
  let dir = "";
  let redis: ManagedProcess | undefined;
  let ratelimit: ManagedProcess | undefined;
  let volume: ConfigMapVolume;
  let debugUrl = "";
  let httpUrl = "";
  let metricsUrl = "";

  before(async () => {
    dir = makeWorkDir("helm-ratelimit", "chart");
    const objs = on();
    // Redis with the chart's arguments, on loopback and in a temp dir instead of /data.
    const redisArgs = container(get(objs, "Deployment", "modelguard-redis"), "redis").args ?? [];
    const redisPort = await freePort();
    const args = redisArgs.map((a, i) => (redisArgs[i - 1] === "--port" ? String(redisPort) : redisArgs[i - 1] === "--dir" ? dir : a));
    redis = startProcess("redis", redisServerBinary(), [...args, "--bind", "127.0.0.1"], { cwd: dir });
    await waitReady(redis, async () => ((await redisCommand(redisPort, ["PING"], 1000)) === "PONG" ? true : undefined), { what: "redis PING", timeoutMs: 10_000 });
    assert.equal(await redisCommand(redisPort, ["CONFIG", "GET", "maxmemory-policy"]).then((v) => JSON.stringify(v)), '["maxmemory-policy","volatile-lru"]');

    // The ratelimit service with the chart's environment; only addresses and the runtime root move.
    const env = Object.fromEntries(envOf(container(get(objs, "Deployment", "modelguard-ratelimit"), "ratelimit")));
    const [httpPort, grpcPort, debugPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const root = join(dir, "runtime");
    volume = new ConfigMapVolume(join(root, env.RUNTIME_SUBDIRECTORY ?? "", env.RUNTIME_APPDIRECTORY ?? ""));
    ratelimit = startProcess("ratelimit", ratelimitBinary(), [], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        ...env,
        HOST: "127.0.0.1",
        PORT: String(httpPort),
        GRPC_HOST: "127.0.0.1",
        GRPC_PORT: String(grpcPort),
        DEBUG_PORT: String(debugPort),
        PROMETHEUS_ADDR: `127.0.0.1:${String(metricsPort)}`,
        RUNTIME_ROOT: root,
        REDIS_URL: `127.0.0.1:${String(redisPort)}`,
      },
    });
    httpUrl = `http://127.0.0.1:${String(httpPort)}`;
    debugUrl = `http://127.0.0.1:${String(debugPort)}`;
    metricsUrl = `http://127.0.0.1:${String(metricsPort)}/metrics`;
  });

  after(async () => {
    await ratelimit?.stop(5000);
    await redis?.stop(5000);
    if (dir) removeWorkDir(dir);
  });

  const loaded = async () => (await httpRequest(`${debugUrl}/rlconfig`, { timeoutMs: 2000 })).body;
  const explain = () => `\n--- ratelimit ---\n${ratelimit?.output().slice(-3000) ?? ""}`;

  it("is healthy with the ConfigMap still empty, as the chart creates it", async () => {
    assert.ok(ratelimit);
    await waitReady(ratelimit, async () => ((await httpRequest(`${httpUrl}/healthcheck`, { timeoutMs: 2000 }).catch(() => undefined))?.status === 200 ? true : undefined), {
      what: "/healthcheck 200",
      timeoutMs: 20_000,
    });
    assert.equal((await loaded()).trim(), "", explain());
  });

  it("loads the operator's descriptors when the kubelet updates the volume, and drops a removed policy", async () => {
    const data = exampleDescriptors();
    const domains = Object.values(data).map((y) => /^domain: (\S+)$/m.exec(y)?.[1] ?? "");
    assert.equal(domains.filter((d) => d !== "").length, 2, JSON.stringify(domains));
    volume.update(data);
    await pollUntil(async () => {
      const dump = await loaded();
      return domains.every((d) => dump.includes(`${d}.`)) ? true : undefined;
    }, { timeoutMs: 15_000, what: "both policies' domains loaded" }).catch((err: unknown) => assert.fail(`${String(err)}${explain()}`));

    const [keep, drop] = Object.keys(data).sort();
    assert.ok(keep && drop);
    volume.update({ [keep]: data[keep] ?? "" });
    const dropped = domains[Object.keys(data).indexOf(drop)] ?? "";
    const kept = domains[Object.keys(data).indexOf(keep)] ?? "";
    await pollUntil(async () => {
      const dump = await loaded();
      return !dump.includes(`${dropped}.`) && dump.includes(`${kept}.`) ? true : undefined;
    }, { timeoutMs: 15_000, what: `${dropped} unloaded, ${kept} kept` }).catch((err: unknown) => assert.fail(`${String(err)}${explain()}`));
    assert.doesNotMatch(ratelimit?.output() ?? "", /Error loading new configuration/, explain());
  });

  it("serves Prometheus metrics (USE_PROMETHEUS) where the chart's ServiceMonitor scrapes them", async () => {
    // Its own ratelimit_* stats appear at the first stats flush; the Go runtime's at once.
    const res = await httpRequest(metricsUrl, { timeoutMs: 2000 });
    assert.equal(res.status, 200);
    assert.match(res.body, /^# TYPE go_goroutines gauge$/m, res.body.slice(0, 500));
    const objs = render(["--set", "ratelimit.enabled=true", "--set", "serviceMonitor.enabled=true"]);
    const sm = get(objs, "ServiceMonitor", "modelguard-ratelimit");
    assert.deepEqual((sm.spec as { endpoints: { port: string; path: string }[] }).endpoints.map((e) => [e.port, e.path]), [["http-metrics", "/metrics"]]);
    const rl = container(get(objs, "Deployment", "modelguard-ratelimit"), "ratelimit");
    assert.equal(envOf(rl).get("PROMETHEUS_ADDR"), ":9090");
    assert.equal(rl.ports?.find((p) => p.name === "http-metrics")?.containerPort, 9090);
    const svcPorts = (get(objs, "Service", "modelguard-ratelimit").spec as { ports: { name: string; targetPort: string }[] }).ports;
    assert.equal(svcPorts.find((p) => p.name === "http-metrics")?.targetPort, "http-metrics");
  });
});
