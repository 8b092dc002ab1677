import type { KubeConfig } from "@kubernetes/client-node";
import type { DetectorEndpoint, WasmModuleRef } from "../translate/inputs.js";
import { sleep } from "./backoff.js";
import { MANAGED_SELECTOR, policyChangeMatters, policyKeyForManagedObject, policyKeysForDeployment, policyKeysForSecret } from "./event-mapping.js";
import { EventRecorder } from "./events.js";
import { InFlight } from "./in-flight.js";
import { Informer } from "./informer.js";
import { isWriteVerb, KubeClient } from "./kube-client.js";
import { LeaderElector, type LeaderElectionOptions } from "./leader-election.js";
import { errorText, silentLogger, type Logger } from "./log.js";
import { OperatorMetrics } from "./metrics.js";
import { keyOf, type ApiObject } from "./objects.js";
import { reconcile, objectId, statusId, type Caches, type ReconcileContext } from "./reconcile.js";
import { DEPLOYMENT_RESOURCE, gvk, MANAGED_RESOURCES, POLICY_RESOURCE, resourcePath, RESTRICTION_RESOURCE, SECRET_RESOURCE } from "./resources.js";
import { asKind, slimDeployment, slimSecret } from "./transforms.js";
import { clearStaleLeaderLabel, setLeaderLabel, type PodRef } from "./leader-label.js";
import { RateLimitConfigSync, type ConfigMapRef } from "./ratelimit-sync.js";
import { WorkQueue } from "./work-queue.js";

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Where WasmPlugins fetch the filter from, with its sha256. */
  wasm: WasmModuleRef;
  /** The detector's report endpoint: policies with `detection` tell their sidecars to report there. */
  detector?: DetectorEndpoint;
  /** The ConfigMap of the shared ratelimit service, kept filled with every policy's descriptors. */
  ratelimitConfigMap?: ConfigMapRef;
  /** Concurrent reconciles (default 4); one key is never reconciled twice at once. */
  workers?: number;
  /** Every policy is reconciled again this often (default 10 min; 0 turns it off). */
  resyncPeriodMs?: number;
  /** Retry backoff of a failing key: first and longest delay (default 100 ms and 30 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Only the holder of this Lease reconciles; without it, this process always does. */
  leaderElection?: LeaderElectionOptions;
  /** This process's Pod: labelled modelguard.dev/leader=true while it leads (with leader election). */
  leaderPod?: PodRef;
  logger?: Logger;
  metrics?: OperatorMetrics;
}

/** Counts of what the controller has done, for tests and benches. */
export interface ControllerStats {
  reconciles: number;
  failures: number;
  /** Requests by verb the controller sent to the apiserver. */
  requests: Record<string, number>;
  /** POST, PUT, PATCH and DELETE requests (objects, status, Events, Lease). */
  writes: number;
}

/**
 * The ModelEndpointPolicy controller: informers feed a key queue, workers reconcile keys.
 * Lifecycle: start() → (leader) workers run → stop() drains the queue and stops informers.
 */
export class Controller {
  readonly client: KubeClient;
  readonly queue: WorkQueue;
  readonly metrics: OperatorMetrics;
  readonly caches: Caches;
  readonly stats: ControllerStats = { reconciles: 0, failures: 0, requests: {}, writes: 0 };
  private readonly informers: Informer<ApiObject>[];
  private readonly ctx: ReconcileContext;
  private readonly log: Logger;
  private readonly elector: LeaderElector | undefined;
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private running: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private lostLeadership = false;
  private readonly lostWaiters: (() => void)[] = [];
  readonly ratelimitSync: RateLimitConfigSync | undefined;

  constructor(private readonly opts: ControllerOptions) {
    this.log = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? new OperatorMetrics();
    this.client = new KubeClient(opts.kubeConfig);
    this.client.addCounter({
      count: (verb) => {
        this.stats.requests[verb] = (this.stats.requests[verb] ?? 0) + 1;
        if (isWriteVerb(verb)) this.stats.writes++;
        this.metrics.apiRequests.inc({ verb });
      },
    });
    this.queue = new WorkQueue({ baseDelayMs: opts.retryBaseMs ?? 100, maxDelayMs: opts.retryMaxMs ?? 30_000 });
    const onError = (what: string) => (err: unknown) => this.log.warn("watch failed; retrying", { resource: what, error: errorText(err) });
    const informer = (name: string, path: string, transform: (o: ApiObject) => ApiObject, labelSelector?: string) =>
      new Informer<ApiObject>(this.client, { name, path, transform, onError: onError(name), ...(labelSelector ? { labelSelector } : {}) });

    const policies = informer("modelendpointpolicies", resourcePath(POLICY_RESOURCE), asKind(POLICY_RESOURCE));
    const deployments = informer("deployments", resourcePath(DEPLOYMENT_RESOURCE), slimDeployment);
    const secrets = informer("secrets", resourcePath(SECRET_RESOURCE), slimSecret);
    const managed = new Map(MANAGED_RESOURCES.map((r) => [gvk(r), informer(r.plural, resourcePath(r), asKind(r), MANAGED_SELECTOR)]));
    const restrictions = informer("clientrestrictions", resourcePath(RESTRICTION_RESOURCE), asKind(RESTRICTION_RESOURCE));
    this.caches = { policies, deployments, secrets, managed, restrictions };
    this.informers = [policies, deployments, secrets, restrictions, ...managed.values()];

    policies.on((type, obj, old) => {
      this.ctx.inFlight.observed(statusId(obj.metadata.namespace ?? "", obj.metadata.name));
      if (type !== "update" || policyChangeMatters(obj, old)) this.enqueue(keyOf(obj));
    });
    deployments.on((_type, obj, old) => {
      for (const k of policyKeysForDeployment(obj, old)) this.enqueue(k);
    });
    secrets.on((_type, obj) => {
      for (const k of policyKeysForSecret(obj, policies.list(obj.metadata.namespace ?? ""))) this.enqueue(k);
    });
    restrictions.on((_type, obj, old) => {
      for (const o of [obj, old]) {
        const policyName = (o as { spec?: { policyName?: unknown } } | undefined)?.spec?.policyName;
        if (o && typeof policyName === "string") this.enqueue(`${o.metadata.namespace ?? ""}/${policyName}`);
      }
    });
    for (const [, inf] of managed) {
      inf.on((_type, obj, old) => {
        this.ctx.inFlight.observed(objectId(obj as { apiVersion: string; kind: string }, obj.metadata.namespace ?? "", obj.metadata.name));
        for (const o of [obj, old]) {
          const k = o && policyKeyForManagedObject(o);
          if (k) this.enqueue(k);
        }
        this.updateManagedGauge();
      });
    }

    this.ctx = {
      client: this.client,
      caches: this.caches,
      wasm: opts.wasm,
      ...(opts.detector ? { detector: opts.detector } : {}),
      recorder: new EventRecorder(this.client),
      inFlight: new InFlight(),
      log: this.log,
    };
    this.elector = opts.leaderElection ? new LeaderElector(this.client, opts.leaderElection, this.log) : undefined;
    const configMaps = managed.get("v1/ConfigMap");
    this.ratelimitSync =
      opts.ratelimitConfigMap && configMaps
        ? new RateLimitConfigSync(opts.ratelimitConfigMap, configMaps, this.client, this.log, () => this.isLeader() && this.workers.length > 0)
        : undefined;
    this.metrics.leader.set(this.elector ? 0 : 1);
  }

  private enqueue(key: string): void {
    this.queue.add(key);
    this.metrics.queueDepth.set(this.queue.len());
  }

  private updateManagedGauge(): void {
    for (const r of MANAGED_RESOURCES) this.metrics.managedObjects.set({ kind: r.kind }, this.caches.managed.get(gvk(r))?.size() ?? 0);
  }

  /** Starts the informers, and the workers once caches are synced and (if configured) this process leads. */
  start(): void {
    for (const i of this.informers) i.start();
    this.running ??= this.run();
  }

  /** True once every informer has listed once (what /readyz reports). */
  hasSynced(): boolean {
    return this.informers.every((i) => i.hasSynced());
  }

  waitForSync(): Promise<void> {
    return Promise.all(this.informers.map((i) => i.waitForSync())).then(() => undefined);
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : true;
  }

  /** Resolves if leadership is lost (the process should exit and be restarted). */
  whenLeadershipLost(): Promise<void> {
    if (this.lostLeadership) return Promise.resolve();
    return new Promise((resolve) => this.lostWaiters.push(resolve));
  }

  /** Queues every policy, and every policy named by a generated object; returns how many keys. */
  resyncAll(): number {
    const keys = new Set(this.caches.policies.list().map(keyOf));
    for (const inf of this.caches.managed.values()) {
      for (const o of inf.list()) {
        const k = policyKeyForManagedObject(o);
        if (k) keys.add(k);
      }
    }
    for (const k of keys) this.enqueue(k);
    return keys.size;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    await this.waitForSync();
    if (signal.aborted) return;
    this.updateManagedGauge();
    this.log.info("caches synced", { policies: this.caches.policies.size(), deployments: this.caches.deployments.size() });
    const pod = this.elector ? this.opts.leaderPod : undefined;
    // A restarted container may still carry the label from its previous life.
    if (pod) await clearStaleLeaderLabel(this.client, pod, this.log);
    if (this.elector && !(await this.elector.acquire(signal))) return;
    this.metrics.leader.set(1);
    if (pod) await setLeaderLabel(this.client, pod, true, this.log);
    this.resyncAll();
    const n = this.opts.workers ?? 4;
    this.workers = Array.from({ length: n }, () => this.worker());
    this.ratelimitSync?.schedule();
    const period = this.opts.resyncPeriodMs ?? 600_000;
    if (period > 0) {
      this.resyncTimer = setInterval(() => this.resyncAll(), period);
      this.resyncTimer.unref();
    }
    if (this.elector && (await this.elector.holdUntilLost(signal)) === "lost") {
      this.metrics.leader.set(0);
      // Another process may be writing now: stop at once, without draining.
      this.queue.shutDown(false);
      if (pod) await setLeaderLabel(this.client, pod, false, this.log);
      this.lostLeadership = true;
      for (const w of this.lostWaiters.splice(0)) w();
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.metrics.queueDepth.set(this.queue.len());
      const end = this.metrics.duration.startTimer();
      try {
        const report = await reconcile(key, this.ctx);
        this.queue.forget(key);
        if (report.requeueAfterMs !== undefined) this.queue.addAfter(key, report.requeueAfterMs);
        this.metrics.reconciles.inc({ result: report.result });
        this.metrics.objectWrites.inc({ operation: "apply" }, report.applied);
        this.metrics.objectWrites.inc({ operation: "prune" }, report.pruned);
        if (report.applied > 0 || report.pruned > 0 || report.statusWritten) {
          this.log.info("reconciled", { policy: key, result: report.result, applied: report.applied, pruned: report.pruned, unchanged: report.unchanged });
        }
      } catch (err) {
        this.stats.failures++;
        this.metrics.reconciles.inc({ result: "error" });
        this.metrics.errors.inc();
        const delayMs = this.queue.addRateLimited(key);
        this.log.warn("reconcile failed; retrying", { policy: key, retryInMs: delayMs, error: errorText(err) });
      } finally {
        this.stats.reconciles++;
        end();
        this.queue.done(key);
      }
    }
  }

  /** Resolves once no key is queued or being reconciled. */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /**
   * Graceful stop: no new keys, finish the queued ones (unless leadership was lost), release the
   * Lease, stop the informers. Bounded by `timeoutMs`.
   */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.ratelimitSync?.stop();
    this.queue.shutDown(!this.lostLeadership);
    const drained = Promise.all(this.workers);
    const timeout = new AbortController();
    await Promise.race([drained, sleep(timeoutMs, timeout.signal)]);
    timeout.abort();
    this.abort.abort();
    // Stopping the informers also releases a run() still waiting for its first sync.
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.running;
    const wasLeader = this.elector?.isLeader() ?? false;
    await this.elector?.release();
    if (wasLeader && this.opts.leaderPod) await setLeaderLabel(this.client, this.opts.leaderPod, false, this.log);
    this.client.close();
  }
}

