import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pollUntil } from "../poll.js";
import { startProcess } from "../process.js";
import { envoyBinary } from "./binaries.js";
import { toBootstrap, withLoopbackAdmin, writeBootstrap } from "./bootstrap.js";
import { httpRequest } from "./http.js";
import { waitReady } from "./wait-ready.js";
import { makeWorkDir, removeWorkDir } from "./work-dir.js";

export type EnvoyLogLevel = "trace" | "debug" | "info" | "warning" | "error" | "critical" | "off";

export interface StartEnvoyOptions {
  /** The bootstrap, as an object or a YAML string. Its `admin` is replaced by a loopback one;
   *  listener ports are the caller's (use freePort(), or port_value 0 and listenerPort()). */
  config: object | string;
  /** Names the process in errors and the temp dir, e.g. "envoy-a". */
  name: string;
  /** -l (default $MODELGUARD_ENVOY_LOG_LEVEL, else "warning"; "info" shows config loading,
   *  "debug" is noisy). */
  logLevel?: EnvoyLogLevel;
  /** --component-log-level, e.g. { wasm: "debug", rbac: "debug" }. */
  componentLogLevels?: Record<string, EnvoyLogLevel>;
  /** --concurrency: worker threads (default 1; tests need no more and the CI box has 2 cores). */
  concurrency?: number;
  /** How long to wait for admin /ready to say LIVE (default 30 000 ms; wasm on V8 compiles at start). */
  readyTimeoutMs?: number;
  /** Extra command-line arguments, appended last. */
  extraArgs?: string[];
}

export interface EnvoyProcess {
  readonly name: string;
  /** `http://127.0.0.1:<admin port>` */
  readonly adminUrl: string;
  /** The temp dir holding envoy.yaml (removed by stop()). */
  readonly workDir: string;
  readonly configPath: string;
  /** The --base-id Envoy chose (--use-dynamic-base-id), unique among running Envoys. */
  readonly baseId: number;
  /** Everything Envoy logged so far (stdout + stderr). */
  logs(): string;
  /** Counters and gauges from admin /stats, by full name. `filter` is a regex, as in /stats?filter=. */
  stats(filter?: string): Promise<Map<string, number>>;
  /** One counter or gauge (undefined when Envoy has no such stat). */
  stat(name: string): Promise<number | undefined>;
  /** Waits (with a deadline) until a stat exists and satisfies `predicate` (default: > 0). */
  waitForStat(name: string, predicate?: (value: number) => boolean, timeoutMs?: number): Promise<number>;
  /** Admin /stats/prometheus, as text. */
  prometheusStats(): Promise<string>;
  /** The port a named listener is bound to (works with port_value 0). */
  listenerPort(listenerName: string): Promise<number>;
  /** GET (or POST) any admin path, e.g. "/config_dump", "/clusters?format=json". */
  admin(path: string, method?: "GET" | "POST"): Promise<string>;
  /** SIGTERM (SIGKILL after a grace period), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

interface StatsJson {
  stats?: { name?: string; value?: number }[];
}

interface ListenersJson {
  listener_statuses?: {
    name?: string;
    local_address?: { socket_address?: { address?: string; port_value?: number } };
  }[];
}

/** The --base-id Envoy wrote to --base-id-path, if it got that far. */
function readBaseId(path: string): number | undefined {
  try {
    const id = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Envoy keeps a small hot-restart region in /dev/shm/envoy_shared_memory_<base id × 10 + epoch>
 *  and does not unlink it on exit; remove it so test runs leave nothing behind. */
function removeSharedMemory(baseIdPath: string): void {
  const baseId = readBaseId(baseIdPath);
  if (baseId !== undefined) rmSync(`/dev/shm/envoy_shared_memory_${baseId * 10}`, { force: true });
}

/** Starts a real Envoy with the given bootstrap and resolves once admin /ready says LIVE
 *  (all static clusters and listeners initialised, wasm VMs started). */
export async function startEnvoy(opts: StartEnvoyOptions): Promise<EnvoyProcess> {
  const binary = envoyBinary();
  const workDir = makeWorkDir("envoy", opts.name);
  const configPath = writeBootstrap(workDir, withLoopbackAdmin(toBootstrap(opts.config)));
  const adminAddressPath = join(workDir, "admin-address");
  const baseIdPath = join(workDir, "base-id");

  const args = [
    "--config-path", configPath,
    "--admin-address-path", adminAddressPath,
    // Each Envoy picks an unused --base-id, so several (also from parallel test files) can run at once.
    "--use-dynamic-base-id",
    "--base-id-path", baseIdPath,
    "--concurrency", String(opts.concurrency ?? 1),
    "--log-level", opts.logLevel ?? process.env.MODELGUARD_ENVOY_LOG_LEVEL ?? "warning",
    "--service-node", opts.name,
    "--service-cluster", opts.name,
  ];
  const components = Object.entries(opts.componentLogLevels ?? {});
  if (components.length > 0) {
    args.push("--component-log-level", components.map(([c, l]) => `${c}:${l}`).join(","));
  }
  args.push(...(opts.extraArgs ?? []));

  const proc = startProcess(opts.name, binary, args, { cwd: workDir });
  let adminUrl = "";
  try {
    adminUrl = await waitReady(
      proc,
      async () => {
        let address: string;
        try {
          address = readFileSync(adminAddressPath, "utf8").trim();
        } catch {
          return undefined; // not written yet
        }
        if (address === "") return undefined;
        const url = `http://${address}`;
        const res = await httpRequest(`${url}/ready`, { timeoutMs: 2000 });
        return res.status === 200 && res.body.trim() === "LIVE" ? url : undefined;
      },
      { what: "admin /ready to answer LIVE", timeoutMs: opts.readyTimeoutMs ?? 30_000 },
    );
  } catch (err) {
    removeSharedMemory(baseIdPath);
    removeWorkDir(workDir);
    throw err;
  }
  const baseId = readBaseId(baseIdPath) ?? -1;

  const admin = async (path: string, method: "GET" | "POST" = "GET"): Promise<string> => {
    const res = await httpRequest(`${adminUrl}${path}`, { method, timeoutMs: 5000 });
    if (res.status !== 200) throw new Error(`${opts.name} admin ${method} ${path}: HTTP ${res.status}: ${res.body}`);
    return res.body;
  };

  const stats = async (filter?: string): Promise<Map<string, number>> => {
    const query = filter === undefined ? "" : `&filter=${encodeURIComponent(filter)}`;
    const json = JSON.parse(await admin(`/stats?format=json${query}`)) as StatsJson;
    const out = new Map<string, number>();
    for (const s of json.stats ?? []) {
      // Histograms come as {histograms: ...} entries without name/value; skip them.
      if (typeof s.name === "string" && typeof s.value === "number") out.set(s.name, s.value);
    }
    return out;
  };

  const stat = async (name: string): Promise<number | undefined> => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return (await stats(`^${escaped}$`)).get(name);
  };

  let stopped: Promise<void> | undefined;
  return {
    name: opts.name,
    adminUrl,
    workDir,
    configPath,
    baseId,
    logs: () => proc.output(),
    stats,
    stat,
    async waitForStat(name, predicate = (v) => v > 0, timeoutMs = 10_000) {
      return pollUntil(
        async () => {
          const value = await stat(name);
          return value !== undefined && predicate(value) ? value : undefined;
        },
        { what: `${opts.name} stat ${name}`, timeoutMs },
      );
    },
    prometheusStats: () => admin("/stats/prometheus"),
    async listenerPort(listenerName) {
      const json = JSON.parse(await admin("/listeners?format=json")) as ListenersJson;
      const listener = json.listener_statuses?.find((l) => l.name === listenerName);
      const port = listener?.local_address?.socket_address?.port_value;
      if (port === undefined) throw new Error(`${opts.name} has no listener named ${listenerName}`);
      return port;
    },
    admin,
    stop() {
      stopped ??= proc.stop(5000).finally(() => {
        removeSharedMemory(baseIdPath);
        removeWorkDir(workDir);
      });
      return stopped;
    },
  };
}
