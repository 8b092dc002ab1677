import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";

export interface KubeconfigParams {
  /** https://127.0.0.1:<port> */
  server: string;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  caPem: string;
  user: string;
  token: string;
}

/** The text of a kubeconfig file (usable by kubectl, helm and client libraries). */
export function renderKubeconfig(p: KubeconfigParams): string {
  const context = `modelguard-test-${p.user}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "modelguard-test",
        cluster: { server: p.server, "certificate-authority-data": Buffer.from(p.caPem).toString("base64") },
      },
    ],
    users: [{ name: p.user, user: { token: p.token } }],
    contexts: [{ name: context, context: { cluster: "modelguard-test", user: p.user, namespace: "default" } }],
    "current-context": context,
  });
}

/** A @kubernetes/client-node KubeConfig loaded from the same text as the kubeconfig file. */
export function makeKubeConfig(p: KubeconfigParams): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(renderKubeconfig(p));
  return kc;
}
