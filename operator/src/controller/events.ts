import { hostname } from "node:os";
import type { KubeClient } from "./kube-client.js";
import type { ApiObject } from "./objects.js";
import { EVENT_RESOURCE, POLICY_RESOURCE, resourcePath } from "./resources.js";

export const EVENT_COMPONENT = "modelguard-operator";

/**
 * Writes core/v1 Events about policies. The same reason and message for the same policy is
 * recorded once, so a resync or a retry does not pile up Events.
 */
export class EventRecorder {
  private readonly last = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly host = hostname(),
  ) {}

  async record(policy: ApiObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const key = `${policy.metadata.namespace ?? ""}/${policy.metadata.name}`;
    const fingerprint = `${policy.metadata.uid ?? ""}|${type}|${reason}|${message}`;
    if (this.last.get(key) === fingerprint) return;
    const now = new Date();
    const stamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
    const namespace = policy.metadata.namespace ?? "default";
    const name = `${policy.metadata.name}.${(now.getTime() * 1000 + (this.seq++ % 1000)).toString(16)}`;
    await this.client.request({
      method: "POST",
      path: resourcePath(EVENT_RESOURCE, namespace),
      body: {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: POLICY_RESOURCE.apiVersion,
          kind: POLICY_RESOURCE.kind,
          namespace,
          name: policy.metadata.name,
          uid: policy.metadata.uid,
          resourceVersion: policy.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
        source: { component: EVENT_COMPONENT, host: this.host },
        reportingComponent: EVENT_COMPONENT,
        reportingInstance: this.host,
        firstTimestamp: stamp,
        lastTimestamp: stamp,
        count: 1,
      },
    });
    this.last.set(key, fingerprint);
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}
