// Marks the operator Pod that holds the leader Lease with a label, so a Service that selects it
// (the chart's detector Service) sends every sidecar's traffic reports to the one replica that acts
// on them. Best effort: a failed patch is logged and leadership is not affected.
import type { KubeClient } from "./kube-client.js";
import { errorText, type Logger } from "./log.js";
import { POD_RESOURCE, resourcePath } from "./resources.js";

export const LEADER_LABEL = "modelguard.dev/leader";

export interface PodRef {
  namespace: string;
  name: string;
}

export async function setLeaderLabel(client: KubeClient, pod: PodRef, leader: boolean, log: Logger): Promise<void> {
  try {
    await client.request({
      method: "PATCH",
      path: resourcePath(POD_RESOURCE, pod.namespace, pod.name),
      body: { metadata: { labels: { [LEADER_LABEL]: leader ? "true" : null } } },
      contentType: "application/merge-patch+json",
    });
  } catch (err) {
    log.warn("could not update the leader label on this Pod", { pod: `${pod.namespace}/${pod.name}`, leader, error: errorText(err) });
  }
}

/** Removes a label left from a previous life of this Pod's container; writes only if it is there. */
export async function clearStaleLeaderLabel(client: KubeClient, pod: PodRef, log: Logger): Promise<void> {
  try {
    const p = await client.request<{ metadata?: { labels?: Record<string, string> } }>({
      method: "GET",
      path: resourcePath(POD_RESOURCE, pod.namespace, pod.name),
    });
    if (p.metadata?.labels?.[LEADER_LABEL] !== undefined) await setLeaderLabel(client, pod, false, log);
  } catch (err) {
    log.warn("could not read this Pod's labels", { pod: `${pod.namespace}/${pod.name}`, error: errorText(err) });
  }
}
