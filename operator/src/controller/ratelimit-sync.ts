// Gathers every policy's ratelimit-service descriptors (the labelled per-policy ConfigMaps the
// translator emits, one key `<namespace>.<policy>.yaml` each) into the one ConfigMap that the
// chart's ratelimit service mounts, so a policy in any namespace reaches the shared service. The
// ConfigMap is created by the chart (the operator may only patch that one name); the operator owns
// its data through server-side apply and writes only when the gathered data changed.
import { RATELIMIT_CONFIG_LABEL } from "../api/constants.js";
import type { Informer } from "./informer.js";
import type { KubeClient } from "./kube-client.js";
import { errorText, type Logger } from "./log.js";
import type { ApiObject } from "./objects.js";
import { CONFIGMAP_RESOURCE, resourcePath } from "./resources.js";

const FIELD_MANAGER = "modelguard-ratelimit-sync";

export interface ConfigMapRef {
  namespace: string;
  name: string;
}

export function parseConfigMapRef(text: string): ConfigMapRef {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text);
  if (!m) throw new Error(`expected <namespace>/<name>, got ${JSON.stringify(text)}`);
  return { namespace: m[1] ?? "", name: m[3] ?? "" };
}

/** The aggregate's data: every labelled ConfigMap's keys, sorted. Pure. */
export function gatherDescriptors(configMaps: readonly ApiObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  const sorted = [...configMaps].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const cm of sorted) {
    if (cm.metadata.labels?.[RATELIMIT_CONFIG_LABEL] !== "true") continue;
    const data = (cm as { data?: Record<string, string> }).data ?? {};
    for (const key of Object.keys(data).sort()) out[key] = data[key] ?? "";
  }
  return out;
}

export class RateLimitConfigSync {
  private timer: NodeJS.Timeout | undefined;
  private lastWritten: string | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly target: ConfigMapRef,
    private readonly configMaps: Informer<ApiObject>,
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly canWrite: () => boolean,
    private readonly debounceMs = 300,
  ) {
    configMaps.on((_type, obj, old) => {
      if ([obj, old].some((o) => o?.metadata.labels?.[RATELIMIT_CONFIG_LABEL] === "true")) this.schedule();
    });
  }

  /** Syncs soon; bursts of changes (a resync) become one write. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.syncNow());
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Resolves once the pending sync (if any) is done. */
  async flush(): Promise<void> {
    await this.running;
  }

  async syncNow(): Promise<void> {
    if (!this.canWrite()) return;
    const data = gatherDescriptors(this.configMaps.list());
    const text = JSON.stringify(data);
    if (text === this.lastWritten) return;
    try {
      await this.client.request({
        method: "PATCH",
        path: resourcePath(CONFIGMAP_RESOURCE, this.target.namespace, this.target.name),
        query: { fieldManager: FIELD_MANAGER, force: true },
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: this.target.name, namespace: this.target.namespace }, data },
        contentType: "application/apply-patch+yaml",
      });
      this.lastWritten = text;
      this.log.info("ratelimit descriptors gathered", { configMap: `${this.target.namespace}/${this.target.name}`, policies: Object.keys(data).length });
    } catch (err) {
      this.log.warn("could not write the ratelimit descriptors; retrying", { configMap: `${this.target.namespace}/${this.target.name}`, error: errorText(err) });
      setTimeout(() => this.schedule(), 2000).unref();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
