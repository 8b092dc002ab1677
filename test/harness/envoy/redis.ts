import { freePort } from "../ports.js";
import { startProcess } from "../process.js";
import { redisServerBinary } from "./binaries.js";
import { redisCommand } from "./resp.js";
import type { RespValue } from "./resp.js";
import { waitReady } from "./wait-ready.js";
import { makeWorkDir, removeWorkDir } from "./work-dir.js";

export interface StartRedisOptions {
  /** Names the process in errors (default "redis"). */
  name?: string;
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** How long to wait for PONG (default 10 000 ms). */
  readyTimeoutMs?: number;
}

export interface RedisProcess {
  readonly name: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, the form ratelimit's REDIS_URL takes. */
  readonly address: string;
  logs(): string;
  /** Runs one command, e.g. command("KEYS", "*"). */
  command(...args: string[]): Promise<RespValue>;
  /** SIGTERM (SIGKILL after a grace period), then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1 with no persistence (nothing written to disk) and
 *  resolves once it answers PING with PONG. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisProcess> {
  const name = opts.name ?? "redis";
  const binary = redisServerBinary();
  const port = opts.port ?? (await freePort());
  const workDir = makeWorkDir("redis", name);
  // Every setting on the command line: no config file, no RDB/AOF, no daemon, log to stdout.
  const args = [
    "--port", String(port),
    "--bind", "127.0.0.1",
    "--save", "",
    "--appendonly", "no",
    "--dir", workDir,
    "--daemonize", "no",
    "--logfile", "",
    "--loglevel", "warning",
    "--databases", "1",
  ];
  const proc = startProcess(name, binary, args, { cwd: workDir });
  try {
    await waitReady(
      proc,
      async () => ((await redisCommand(port, ["PING"], 1000)) === "PONG" ? true : undefined),
      { what: "PING to answer PONG", timeoutMs: opts.readyTimeoutMs ?? 10_000 },
    );
  } catch (err) {
    removeWorkDir(workDir);
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    name,
    port,
    address: `127.0.0.1:${port}`,
    logs: () => proc.output(),
    command: (...cmd: string[]) => redisCommand(port, cmd),
    stop() {
      stopped ??= proc.stop(5000).finally(() => removeWorkDir(workDir));
      return stopped;
    },
  };
}
