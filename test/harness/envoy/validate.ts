import { startProcess } from "../process.js";
import { envoyBinary } from "./binaries.js";
import { toBootstrap, writeBootstrap } from "./bootstrap.js";
import { makeWorkDir, removeWorkDir } from "./work-dir.js";

export interface EnvoyValidation {
  ok: boolean;
  /** Envoy's output: "configuration '…' OK", or why the config was rejected. */
  output: string;
}

/** Checks a bootstrap with `envoy --mode validate`: Envoy parses it and builds every listener,
 *  cluster and filter factory, but opens no sockets and serves nothing. The config is used
 *  as given (its admin block is not rewritten). */
export async function validateEnvoyConfig(config: object | string, timeoutMs = 30_000): Promise<EnvoyValidation> {
  const binary = envoyBinary();
  const workDir = makeWorkDir("envoy-validate", "config");
  try {
    const configPath = writeBootstrap(workDir, toBootstrap(config));
    const proc = startProcess("envoy-validate", binary, [
      "--mode", "validate",
      "--config-path", configPath,
      "--log-level", "warning",
      // Validation never hot-restarts; skip the shared memory region altogether.
      "--disable-hot-restart",
    ], { cwd: workDir });
    const timer = setTimeout(() => void proc.stop(1000), timeoutMs);
    const code = await proc.exited;
    clearTimeout(timer);
    await proc.stop();
    return { ok: code === 0, output: proc.output() };
  } finally {
    removeWorkDir(workDir);
  }
}
