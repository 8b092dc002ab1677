import { sleep } from "./backoff.js";
import { ApiError, isConflict, isNotFound, type KubeClient } from "./kube-client.js";
import { errorText, type Logger } from "./log.js";
import { LEASE_RESOURCE, resourcePath } from "./resources.js";

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Unique per process, e.g. pod name + random suffix. */
  identity: string;
  /** How long a Lease not renewed stays with its holder (default 15 s). */
  leaseDurationMs?: number;
  /** The leader gives up when it could not renew for this long (default 10 s). */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew (default 2 s). */
  retryPeriodMs?: number;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

const microTime = (d: Date) => d.toISOString().replace(/Z$/, "000Z");

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews
 * every retry period; others take the Lease over once its record has not changed for a whole
 * lease duration, measured on their own clock (so clock skew between nodes does not matter).
 * Writes use the Lease's resourceVersion, so two candidates never both win.
 */
export class LeaderElector {
  private observedRecord = "";
  private observedAt = 0;
  private leading = false;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: LeaderElectionOptions,
    private readonly log: Logger,
  ) {
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Waits until this process holds the Lease (true) or `signal` aborts (false). */
  async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.leading = true;
        this.log.info("became leader", { lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity });
        return true;
      }
      await sleep(this.retryMs, signal);
    }
    return false;
  }

  /** Renews until a renewal deadline is missed (resolves "lost") or `signal` aborts ("stopped"). */
  async holdUntilLost(signal: AbortSignal): Promise<"lost" | "stopped"> {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(this.retryMs, signal);
      if (signal.aborted) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = Date.now();
        continue;
      }
      if (Date.now() - lastRenew > this.renewDeadlineMs) {
        this.leading = false;
        this.log.warn("lost leadership", { lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity });
        return "lost";
      }
    }
    return "stopped";
  }

  /** Hands the Lease back so another candidate can take over at once (on graceful shutdown). */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.get();
      if (!lease || lease.spec?.holderIdentity !== this.opts.identity) return;
      await this.put({ ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(new Date()) } });
    } catch (err) {
      this.log.warn("could not release the lease", { error: errorText(err) });
    }
  }

  private get(): Promise<Lease | undefined> {
    return this.client
      .request<Lease>({ method: "GET", path: resourcePath(LEASE_RESOURCE, this.opts.namespace, this.opts.name) })
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
  }

  private put(lease: Lease): Promise<Lease> {
    return this.client.request<Lease>({
      method: "PUT",
      path: resourcePath(LEASE_RESOURCE, this.opts.namespace, this.opts.name),
      body: { apiVersion: LEASE_RESOURCE.apiVersion, kind: LEASE_RESOURCE.kind, ...lease },
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const durationSeconds = Math.max(1, Math.round(this.leaseMs / 1000));
    try {
      const lease = await this.get();
      if (!lease) {
        await this.client.request({
          method: "POST",
          path: resourcePath(LEASE_RESOURCE, this.opts.namespace),
          body: {
            apiVersion: LEASE_RESOURCE.apiVersion,
            kind: LEASE_RESOURCE.kind,
            metadata: { name: this.opts.name, namespace: this.opts.namespace },
            spec: {
              holderIdentity: this.opts.identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: microTime(now),
              renewTime: microTime(now),
              leaseTransitions: 0,
            },
          },
        });
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? "";
      const record = `${holder}|${spec.renewTime ?? ""}|${spec.leaseDurationSeconds ?? ""}`;
      if (record !== this.observedRecord) {
        this.observedRecord = record;
        this.observedAt = Date.now();
      }
      const heldByOther = holder !== "" && holder !== this.opts.identity;
      const theirDurationMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (heldByOther && this.observedAt + theirDurationMs > Date.now()) return false;
      const mine = holder === this.opts.identity;
      await this.put({
        metadata: lease.metadata,
        spec: {
          holderIdentity: this.opts.identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
          renewTime: microTime(now),
          leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
        },
      });
      return true;
    } catch (err) {
      if (!isConflict(err) && !(err instanceof ApiError && err.code === 0)) {
        this.log.warn("lease update failed", { error: errorText(err) });
      }
      return false;
    }
  }
}
