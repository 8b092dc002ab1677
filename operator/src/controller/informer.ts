import { jitteredDelay, sleep } from "./backoff.js";
import { isGone, type KubeClient, type WatchEvent } from "./kube-client.js";
import { keyOf, type ApiObject } from "./objects.js";

export type InformerEventType = "add" | "update" | "delete";
export type InformerHandler<T extends ApiObject> = (type: InformerEventType, obj: T, old: T | undefined) => void;

export interface InformerOptions<T extends ApiObject> {
  /** Shown in logs and errors, e.g. "deployments". */
  name: string;
  /** Collection path across all namespaces, e.g. /apis/apps/v1/deployments. */
  path: string;
  labelSelector?: string;
  /** Reduces an object to what the controller needs before it is cached. */
  transform?: (o: ApiObject) => T;
  /** Server-side watch timeout; the watch is then resumed from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  /** Page size of the initial list. */
  pageSize?: number;
  onError?: (err: unknown) => void;
}

/**
 * List, then watch from the list's resourceVersion, keeping an in-memory cache. A watch that
 * ends is resumed from the last resourceVersion seen (bookmarks included); "410 Gone" means
 * that version is compacted away, so the informer lists again and reports the difference as
 * events. Connection failures (an apiserver restart) are retried with jittered backoff.
 */
export class Informer<T extends ApiObject> {
  private store = new Map<string, T>();
  private resourceVersion = "";
  private synced = false;
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly syncWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** Lists done so far (the first one and every relist). */
  lists = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: InformerOptions<T>,
  ) {}

  get name(): string {
    return this.opts.name;
  }

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the cache (or the informer is stopped). */
  waitForSync(): Promise<void> {
    if (this.synced || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(`${namespace ?? ""}/${name}`);
  }

  list(namespace?: string): T[] {
    const all = [...this.store.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata.namespace ?? "") === namespace);
  }

  size(): number {
    return this.store.size;
  }

  private emit(type: InformerEventType, obj: T, old: T | undefined): void {
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === "") await this.relist(signal);
        await this.client.watch(
          this.opts.path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 60),
            labelSelector: this.opts.labelSelector,
          },
          (e) => this.onWatchEvent(e),
          signal,
          ((this.opts.watchTimeoutSeconds ?? 360) + 60) * 1000,
        );
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          this.resourceVersion = "";
          continue;
        }
        this.opts.onError?.(err);
        await sleep(jitteredDelay(failures++, 200, 5_000), signal);
      }
    }
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const fresh = new Map<string, T>();
    let cont: string | undefined;
    let rv: string;
    do {
      const page = await this.client.request<{ metadata?: { resourceVersion?: string; continue?: string }; items?: ApiObject[] }>({
        method: "GET",
        path: this.opts.path,
        query: { labelSelector: this.opts.labelSelector, limit: this.opts.pageSize ?? 500, continue: cont },
        signal,
      });
      for (const item of page.items ?? []) {
        const o = this.transform(item);
        fresh.set(keyOf(o), o);
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? "";
    } while (cont !== undefined);
    this.lists++;
    const old = this.store;
    this.store = fresh;
    this.resourceVersion = rv;
    for (const [k, o] of old) if (!fresh.has(k)) this.emit("delete", o, undefined);
    for (const [k, o] of fresh) {
      const prev = old.get(k);
      if (!prev) this.emit("add", o, undefined);
      else if (prev.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit("update", o, prev);
    }
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private transform(o: ApiObject): T {
    return this.opts.transform ? this.opts.transform(o) : (o as T);
  }

  private onWatchEvent(e: WatchEvent): void {
    if (e.type === "ERROR") {
      const status = e.object as { code?: number; message?: string };
      if (status.code === 410) this.resourceVersion = "";
      else this.opts.onError?.(new Error(`watch ${this.opts.name}: ${status.message ?? "error event"}`));
      return;
    }
    const raw = e.object as unknown as ApiObject;
    const rv = raw.metadata?.resourceVersion;
    if (e.type === "BOOKMARK") {
      if (rv) this.resourceVersion = rv;
      return;
    }
    const o = this.transform(raw);
    const k = keyOf(o);
    const prev = this.store.get(k);
    if (e.type === "DELETED") {
      this.store.delete(k);
      this.emit("delete", o, prev);
    } else {
      this.store.set(k, o);
      this.emit(prev ? "update" : "add", o, prev);
    }
    if (rv) this.resourceVersion = rv;
  }
}
