import { pollUntil } from "../poll.js";
import type { ManagedProcess } from "../process.js";

const OUTPUT_TAIL = 4000;

function tail(proc: ManagedProcess): string {
  const out = proc.output();
  return out.length > OUTPUT_TAIL ? `…${out.slice(out.length - OUTPUT_TAIL)}` : out;
}

/** Polls `isReady` until it is true, failing fast (with the process output) if the process
 *  exits first and with the output tail if the deadline passes. */
export async function waitReady(proc: ManagedProcess, isReady: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  let outcome: "ready" | "exited";
  try {
    outcome = await pollUntil<"ready" | "exited">(
      async () => {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) return "exited";
        return (await isReady()) ? "ready" : undefined;
      },
      { timeoutMs, intervalMs: 100, what },
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n--- ${proc.name} output ---\n${tail(proc)}`, { cause: err });
  }
  if (outcome === "exited") {
    const code = await proc.exited;
    throw new Error(`${proc.name} exited (${code}) before ${what}\n--- ${proc.name} output ---\n${tail(proc)}`);
  }
}
