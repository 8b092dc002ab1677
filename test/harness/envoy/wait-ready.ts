import { pollUntil } from "../poll.js";
import type { ManagedProcess } from "../process.js";

/** The last `lines` lines of a process' output, for error messages. */
export function outputTail(proc: ManagedProcess, lines = 40): string {
  return proc.output().trimEnd().split("\n").slice(-lines).join("\n");
}

const EXITED = Symbol("exited");

/** Polls `probe` (like pollUntil) until it returns a value, but fails at once when the
 *  process exits first, and names the process and its last output lines on any failure.
 *  On failure the process is stopped, so callers need no cleanup for a failed start. */
export async function waitReady<T>(
  proc: ManagedProcess,
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { what: string; timeoutMs: number; intervalMs?: number },
): Promise<T> {
  let exitCode: number | NodeJS.Signals | undefined;
  void proc.exited.then((code) => {
    exitCode = code;
  });
  try {
    // An exit ends the poll at once (pollUntil itself cannot be cancelled).
    const result = await pollUntil<T | typeof EXITED>(async () => (exitCode !== undefined ? EXITED : probe()), {
      what: `${proc.name}: ${opts.what}`,
      timeoutMs: opts.timeoutMs,
      intervalMs: opts.intervalMs ?? 50,
    });
    if (result === EXITED) throw new Error(`${proc.name} exited (${String(exitCode)}) before ${opts.what}`);
    return result;
  } catch (err) {
    await proc.stop(1000);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n--- last output of ${proc.name} ---\n${outputTail(proc)}`, { cause: err });
  }
}
