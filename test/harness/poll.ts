/** Polls `probe` until it returns a value other than undefined, or the deadline passes.
 *  Used instead of fixed sleeps so tests wait exactly as long as the component needs. */
export interface PollOptions {
  /** Total time allowed, in milliseconds. */
  timeoutMs: number;
  /** Pause between attempts, in milliseconds (default 50). */
  intervalMs?: number;
  /** Named in the timeout error, e.g. "kube-apiserver /readyz". */
  what: string;
}

export async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, opts: PollOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error: ${lastError.message}` : "";
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
