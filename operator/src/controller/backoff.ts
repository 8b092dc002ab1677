/** Per-key exponential backoff: base·2^failures, capped. Forgetting a key resets it. */
export class KeyBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  /** The delay before the next retry of `key`, counting this failure. */
  next(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.baseMs * 2 ** Math.min(n, 30), this.maxMs);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}

/** Delay for attempt `n` (0-based) of a retry loop: exponential with ±20 % jitter, capped. */
export function jitteredDelay(n: number, baseMs: number, maxMs: number): number {
  const d = Math.min(baseMs * 2 ** Math.min(n, 30), maxMs);
  return Math.round(d * (0.8 + Math.random() * 0.4));
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
