import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/** A child process started by a test, with its output kept for error messages. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far (capped at the last 1 MiB). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_CAP = 1 << 20;
const live = new Set<ManagedProcess>();

// A crashed test run must not leave servers behind.
process.once("exit", () => {
  for (const p of live) p.child.kill("SIGKILL");
});

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let buf = "";
  const append = (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    if (buf.length > OUTPUT_CAP) buf = buf.slice(buf.length - OUTPUT_CAP);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1));
    child.once("error", (err) => {
      append(Buffer.from(`spawn error: ${err.message}\n`));
      resolve(-1);
    });
  });
  const proc: ManagedProcess = {
    name,
    child,
    output: () => buf,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        live.delete(proc);
        return;
      }
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      live.delete(proc);
    },
  };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}
