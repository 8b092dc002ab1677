// npm run bench:operator — 1,000 policies × 2 Deployments against a real apiserver, converged by
// the real `modelguard operator` process from a cold start; then a no-op resync and 100
// single-policy edits. Prints wall time, API requests, peak RSS and edit latency.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pollUntil } from "../harness/poll.js";
import { freePort } from "../harness/ports.js";
import { startProcess } from "../harness/process.js";
import type { ApiObject } from "../../operator/src/controller/objects.js";
import { conditionOf } from "../../operator/src/controller/status.js";
import { deployment, policy, POLICY, startTestControlPlane, TEST_WASM, TestCluster } from "./support.js";

const POLICIES = Number(process.env.BENCH_POLICIES ?? 1000);
const NAMESPACES = 10;
const EDITS = Number(process.env.BENCH_EDITS ?? 100);
const RESYNC_SECONDS = 20;
/** `dist` (default) runs the compiled command as shipped; `tsx` runs the sources (adds ~100 MB RSS for the loader). */
const RUNTIME = process.env.BENCH_RUNTIME ?? "dist";

function operatorCommand(): string[] {
  if (RUNTIME === "tsx") return ["--import", "tsx", "operator/src/cli/main.ts"];
  const build = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  if (build.status !== 0) throw new Error("tsc -p tsconfig.build.json failed; run with BENCH_RUNTIME=tsx to bench the sources");
  return ["dist/operator/src/cli/main.js"];
}

const programmed = (p: ApiObject) => {
  const ok = (t: string) => {
    const c = conditionOf(p, t);
    return c?.status === "True" && c.observedGeneration === p.metadata.generation;
  };
  return ok("Accepted") && ok("Programmed");
};

async function inParallel<T>(items: readonly T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

function sample(metrics: string, line: string): number {
  const m = metrics.split("\n").find((l) => l.startsWith(`${line} `));
  return m === undefined ? 0 : Number(m.slice(line.length + 1));
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};

async function main(): Promise<void> {
  const cp = await startTestControlPlane();
  const k = new TestCluster(cp);
  let op: ReturnType<typeof startProcess> | undefined;
  try {
    const nss = Array.from({ length: NAMESPACES }, (_, i) => `bench-${i}`);
    for (const ns of nss) await k.createNamespace(ns);
    const specs = Array.from({ length: POLICIES }, (_, i) => ({ ns: nss[i % NAMESPACES] ?? "bench-0", name: `p${i}` }));
    const t0 = performance.now();
    await inParallel(specs, 32, async ({ ns, name }) => {
      await k.apply(deployment(ns, `${name}-a`, name));
      await k.apply(deployment(ns, `${name}-b`, name));
      await k.apply(policy(ns, name));
    });
    console.log(`created ${POLICIES} policies and ${POLICIES * 2} Deployments in ${((performance.now() - t0) / 1000).toFixed(1)} s (not measured)`);

    const command = operatorCommand();
    const port = await freePort();
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const start = performance.now();
    op = startProcess("modelguard-operator", process.execPath, [
      ...command, "operator",
      "--kubeconfig", cp.kubeconfigPath, "--metrics-addr", `127.0.0.1:${port}`,
      "--wasm-url", TEST_WASM.url, "--wasm-sha256", TEST_WASM.sha256,
      "--resync-period", String(RESYNC_SECONDS),
      ...(process.env.BENCH_WORKERS ? ["--workers", process.env.BENCH_WORKERS] : []),
    ]);
    const pid = op.child.pid ?? 0;
    let peakRss = 0;
    const rssTimer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (m?.[1]) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
      } catch {
        // the process is gone
      }
    }, 200);
    const metrics = async () => (await fetch(metricsUrl)).text();
    const requests = (m: string) => ["GET", "POST", "PUT", "PATCH", "DELETE"].reduce((n, v) => n + sample(m, `modelguard_api_requests_total{verb="${v}"}`), 0);
    const writes = (m: string) => ["POST", "PUT", "PATCH", "DELETE"].reduce((n, v) => n + sample(m, `modelguard_api_requests_total{verb="${v}"}`), 0);

    await pollUntil(
      async () => {
        const items = await k.list(POLICY, "");
        return items.length === POLICIES && items.every(programmed) ? true : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 250, what: "every policy Programmed" },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${op?.output().slice(-3000) ?? ""}`);
    });
    const coldMs = performance.now() - start;
    const afterCold = await metrics();
    const objects = ["PeerAuthentication", "RequestAuthentication", "AuthorizationPolicy", "WasmPlugin", "EnvoyFilter", "ConfigMap"].reduce(
      (n, kind) => n + sample(afterCold, `modelguard_managed_objects{kind="${kind}"}`),
      0,
    );
    console.log(`cold converge: ${(coldMs / 1000).toFixed(1)} s for ${POLICIES} policies, ${objects} generated objects (target ≤ 60 s)`);
    console.log(`API requests until converged: ${requests(afterCold)} (${writes(afterCold)} writes)`);

    // No-op resync: wait for one full resync period's reconciles and compare write counts.
    const rec = (m: string) => sample(m, 'modelguard_reconcile_total{result="success"}');
    const recBefore = rec(afterCold);
    const writesBefore = writes(afterCold);
    await pollUntil(async () => (rec(await metrics()) - recBefore >= POLICIES ? true : undefined), {
      timeoutMs: (RESYNC_SECONDS + 120) * 1000,
      intervalMs: 500,
      what: "a full resync",
    });
    const afterResync = await metrics();
    console.log(`no-op resync: ${rec(afterResync) - recBefore} reconciles, ${writes(afterResync) - writesBefore} writes (target 0)`);

    // Single-policy edits, one at a time: time from the edit until status shows it programmed.
    const latencies: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const { ns, name } = specs[(i * 7) % specs.length] ?? { ns: "bench-0", name: "p0" };
      const edited = policy(ns, name);
      (edited.spec as { tiers: { requestsPerMinute: number }[] }).tiers[0] = { name: "basic", requestsPerMinute: 100 + i } as never;
      const t = performance.now();
      const applied = await k.apply(edited);
      const gen = applied.metadata.generation;
      await pollUntil(
        async () => {
          const p = await k.get(POLICY, ns, name);
          return p && p.metadata.generation === gen && programmed(p) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 5, what: `edit ${i} applied` },
      );
      latencies.push(performance.now() - t);
    }
    console.log(
      `${EDITS} edits, time to applied: median ${quantile(latencies, 0.5).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms (target p99 ≤ 1000 ms)`,
    );
    clearInterval(rssTimer);
    console.log(`operator peak RSS (${RUNTIME}): ${(peakRss / 1e6).toFixed(0)} MB (target ≤ 250 MB)`);
  } finally {
    await op?.stop();
    k.close();
    await cp.stop();
  }
}

await main();
