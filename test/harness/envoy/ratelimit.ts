import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { freePort } from "../ports.js";
import { pollUntil } from "../poll.js";
import { startProcess } from "../process.js";
import { ratelimitBinary } from "./binaries.js";
import { httpRequest } from "./http.js";
import type { RedisProcess } from "./redis.js";
import { tcpAccepts } from "./tcp-probe.js";
import { waitReady } from "./wait-ready.js";
import { makeWorkDir, removeWorkDir } from "./work-dir.js";

/** One descriptor of envoyproxy/ratelimit's YAML config (see its README, "Configuration"). */
export interface RateLimitDescriptor {
  key: string;
  value?: string;
  rate_limit?: {
    unit: "second" | "minute" | "hour" | "day" | "week" | "month" | "year";
    requests_per_unit: number;
    name?: string;
    unlimited?: boolean;
  };
  descriptors?: RateLimitDescriptor[];
  shadow_mode?: boolean;
  detailed_metric?: boolean;
}

/** One domain's config file. */
export interface RateLimitDomainConfig {
  domain: string;
  descriptors: RateLimitDescriptor[];
}

export type RateLimitConfigInput = RateLimitDomainConfig | string;

export type RateLimitLogLevel = "debug" | "info" | "warn" | "error";

export interface StartRateLimitOptions {
  /** Descriptor configs, one per domain: objects or YAML strings. */
  config: RateLimitConfigInput | RateLimitConfigInput[];
  /** The Redis the counters live in (a started RedisProcess, or "127.0.0.1:<port>"). */
  redis: RedisProcess | string;
  /** Names the process in errors (default "ratelimit"). */
  name?: string;
  /** LOG_LEVEL (default "warn"; "debug" logs every descriptor decision). */
  logLevel?: RateLimitLogLevel;
  /** Extra environment, e.g. { LIMIT_RESPONSE_HEADERS_ENABLED: "true", CACHE_KEY_PREFIX: "a_" }.
   *  Applied last, so it can override anything this harness sets. */
  env?: Record<string, string>;
  /** How long to wait for /healthcheck (default 20 000 ms). */
  readyTimeoutMs?: number;
}

export interface RateLimitProcess {
  readonly name: string;
  /** gRPC (envoy.service.ratelimit.v3.RateLimitService) on 127.0.0.1. Point Envoy's
   *  rate_limit_service cluster (HTTP/2) here. */
  readonly grpcPort: number;
  /** `http://127.0.0.1:<PORT>`: /healthcheck and the /json API. */
  readonly httpUrl: string;
  /** `http://127.0.0.1:<DEBUG_PORT>`: /rlconfig, /stats. */
  readonly debugUrl: string;
  readonly runtimeDir: string;
  logs(): string;
  /** The loaded config as the service dumps it (debug /rlconfig). */
  loadedConfig(): Promise<string>;
  /** Replaces the descriptor files and waits until the service has reloaded them (its
   *  /rlconfig dump changed and names every domain). A config equal to the current one is a no-op. */
  updateConfig(config: RateLimitConfigInput | RateLimitConfigInput[]): Promise<void>;
  /** SIGTERM (SIGKILL after a grace period), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

interface ConfigFile {
  domain: string;
  yaml: string;
}

function toConfigFiles(config: RateLimitConfigInput | RateLimitConfigInput[]): ConfigFile[] {
  const inputs = Array.isArray(config) ? config : [config];
  if (inputs.length === 0) throw new Error("ratelimit needs at least one domain config");
  return inputs.map((input) => {
    const value: unknown = typeof input === "string" ? parse(input) : input;
    const domain = (value as { domain?: unknown } | null)?.domain;
    if (typeof domain !== "string" || domain === "") throw new Error("each ratelimit config needs a `domain`");
    return { domain, yaml: typeof input === "string" ? input : stringify(input) };
  });
}

/** Writes one YAML file per domain into `dir`, replacing what was there. Each file is written
 *  beside and renamed into place, so the service's file watcher never reads half a file. */
function writeConfigFiles(dir: string, files: ConfigFile[]): void {
  const wanted = new Set(files.map((f, i) => `${i}-${f.domain.replace(/[^A-Za-z0-9_-]+/g, "_")}.yaml`));
  for (const existing of readdirSync(dir)) {
    if (!wanted.has(existing)) rmSync(join(dir, existing), { force: true });
  }
  files.forEach((f, i) => {
    const base = `${i}-${f.domain.replace(/[^A-Za-z0-9_-]+/g, "_")}.yaml`;
    // A dot-file, ignored by the service (RUNTIME_IGNOREDOTFILES=true) until renamed.
    const tmp = join(dir, `.${base}.tmp`);
    writeFileSync(tmp, f.yaml);
    renameSync(tmp, join(dir, base));
  });
}

const CONFIG_ERROR = /Error loading new configuration: [^\n]*/;

/** The service's own message when it rejected a config (it then keeps the old one or, at
 *  startup, never becomes healthy), so callers fail fast with it instead of timing out. */
function configError(output: string, name: string): Error | undefined {
  const match = CONFIG_ERROR.exec(output);
  return match ? new Error(`${name} rejected its descriptor config: ${match[0]}`) : undefined;
}

/** The /rlconfig dump names every loaded descriptor as `<domain>.<key>...`. */
function mentionsAllDomains(dump: string, files: ConfigFile[]): boolean {
  return files.every((f) => dump.includes(`${f.domain}.`));
}

/** Starts Envoy's ratelimit service (github.com/envoyproxy/ratelimit) on free 127.0.0.1 ports
 *  with the given descriptor config and Redis backend, and resolves once /healthcheck is OK
 *  and every domain is loaded. */
export async function startRateLimit(opts: StartRateLimitOptions): Promise<RateLimitProcess> {
  const name = opts.name ?? "ratelimit";
  const binary = ratelimitBinary();
  const files = toConfigFiles(opts.config);
  const [httpPort, grpcPort, debugPort] = [await freePort(), await freePort(), await freePort()];
  const redisUrl = typeof opts.redis === "string" ? opts.redis : opts.redis.address;

  // The service reads <RUNTIME_ROOT>/<RUNTIME_SUBDIRECTORY>/<RUNTIME_APPDIRECTORY>/*.yaml.
  // With RUNTIME_WATCH_ROOT=false it watches that directory itself (no symlink swapping).
  const workDir = makeWorkDir("ratelimit", name);
  const configDir = join(workDir, "runtime", "ratelimit", "config");
  mkdirSync(configDir, { recursive: true });
  writeConfigFiles(configDir, files);

  // A minimal environment: the service reads generic names (PORT, HOST, ...) that a
  // developer's shell may set for other tools.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? workDir,
    HOST: "127.0.0.1",
    PORT: String(httpPort),
    GRPC_HOST: "127.0.0.1",
    GRPC_PORT: String(grpcPort),
    DEBUG_HOST: "127.0.0.1",
    DEBUG_PORT: String(debugPort),
    LOG_LEVEL: opts.logLevel ?? "warn",
    LOG_FORMAT: "text",
    // No statsd to send to; the fallback "stdout" sink logs every stat every 10 s. Tests that
    // want the service's stats can pass { DISABLE_STATS: "false", USE_PROMETHEUS: "true", ... }.
    USE_STATSD: "false",
    USE_PROMETHEUS: "false",
    DISABLE_STATS: "true",
    BACKEND_TYPE: "redis",
    REDIS_SOCKET_TYPE: "tcp",
    REDIS_TYPE: "SINGLE",
    REDIS_URL: redisUrl,
    REDIS_POOL_SIZE: "4",
    CONFIG_TYPE: "FILE",
    RUNTIME_ROOT: join(workDir, "runtime"),
    RUNTIME_SUBDIRECTORY: "ratelimit",
    RUNTIME_APPDIRECTORY: "config",
    RUNTIME_WATCH_ROOT: "false",
    RUNTIME_IGNOREDOTFILES: "true",
    HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED: "true",
    ...opts.env,
  };

  const proc = startProcess(name, binary, [], { cwd: workDir, env });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const debugUrl = `http://127.0.0.1:${debugPort}`;
  const loadedConfig = async (): Promise<string> => {
    const res = await httpRequest(`${debugUrl}/rlconfig`, { timeoutMs: 2000 });
    if (res.status !== 200) throw new Error(`${name} /rlconfig: HTTP ${res.status}`);
    return res.body;
  };

  try {
    const outcome = await waitReady(
      proc,
      async () => {
        const rejected = configError(proc.output(), name);
        if (rejected) return rejected;
        const health = await httpRequest(`${httpUrl}/healthcheck`, { timeoutMs: 2000 });
        if (health.status !== 200) return undefined;
        // gRPC listens from its own goroutine; Envoy's first check must not race it.
        if (!(await tcpAccepts(grpcPort))) return undefined;
        return mentionsAllDomains(await loadedConfig(), files) ? "ready" : undefined;
      },
      { what: "/healthcheck OK, gRPC listening and every domain loaded", timeoutMs: opts.readyTimeoutMs ?? 20_000 },
    );
    if (outcome instanceof Error) {
      await proc.stop(1000);
      throw outcome;
    }
  } catch (err) {
    removeWorkDir(workDir);
    throw err;
  }

  let current = files;
  let stopped: Promise<void> | undefined;
  return {
    name,
    grpcPort,
    httpUrl,
    debugUrl,
    runtimeDir: join(workDir, "runtime"),
    logs: () => proc.output(),
    loadedConfig,
    async updateConfig(config) {
      const next = toConfigFiles(config);
      if (JSON.stringify(next) === JSON.stringify(current)) return;
      const before = await loadedConfig();
      const outputBefore = proc.output().length;
      writeConfigFiles(configDir, next);
      const outcome = await pollUntil(
        async () => {
          const rejected = configError(proc.output().slice(outputBefore), name);
          if (rejected) return rejected;
          const now = await loadedConfig();
          return now !== before && mentionsAllDomains(now, next) ? "reloaded" : undefined;
        },
        { what: `${name} to reload its config`, timeoutMs: 10_000 },
      );
      if (outcome instanceof Error) throw outcome;
      current = next;
    },
    stop() {
      stopped ??= proc.stop(5000).finally(() => removeWorkDir(workDir));
      return stopped;
    },
  };
}
