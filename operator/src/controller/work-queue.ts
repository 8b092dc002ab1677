import { KeyBackoff } from "./backoff.js";

export interface WorkQueueOptions {
  /** First retry delay after a failure (default 100 ms). */
  baseDelayMs?: number;
  /** Longest retry delay (default 30 s). */
  maxDelayMs?: number;
}

/**
 * A queue of keys (`namespace/name`), shaped like client-go's rate-limited work queue:
 * - deduplicating: a key waiting in the queue is there once, however often it is added;
 * - level-based: a key carries no event, the worker re-reads the current state;
 * - one worker per key: a key added while it is processed is queued again when `done`;
 * - per-key exponential backoff via `addRateLimited`, reset by `forget`.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly backoff: KeyBackoff;
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.backoff = new KeyBackoff(opts.baseDelayMs ?? 100, opts.maxDelayMs ?? 30_000);
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds `key` after `ms`; an earlier pending add of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Adds `key` after its backoff delay, which doubles with every failure until `forget`. */
  addRateLimited(key: string): number {
    const ms = this.backoff.next(key);
    this.addAfter(key, ms);
    return ms;
  }

  forget(key: string): void {
    this.backoff.forget(key);
  }

  failures(key: string): number {
    return this.backoff.failuresOf(key);
  }

  /** The next key to work on, or undefined once the queue is shut down and empty. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` finished; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
    this.notifyIdle();
  }

  /** Keys waiting (not counting those being processed or scheduled for later). */
  len(): number {
    return this.queue.length;
  }

  /** True when nothing is queued or being processed (delayed retries may still be pending). */
  idle(): boolean {
    return this.queue.length === 0 && this.processing.size === 0;
  }

  /** Resolves once nothing is queued or being processed. */
  whenIdle(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting keys and drops scheduled retries. With `drain`, keys already queued are still
   * handed out; without, they are dropped (e.g. when leadership is lost and writes must stop).
   */
  shutDown(drain: boolean): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    if (!drain) {
      for (const k of this.queue) this.dirty.delete(k);
      this.queue.length = 0;
    }
    for (const w of this.waiters.splice(0)) w(undefined);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (!this.idle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
