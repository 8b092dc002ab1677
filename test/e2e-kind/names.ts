// Names the kind end-to-end run gives its objects. run.sh and manifests/*.yaml spell the same
// names (test/shell/e2e-kind-script.test.ts checks that they agree).

/** The namespace of the sample model and its policy (istio-injection=enabled). */
export const MODEL_NAMESPACE = "models";
/** The sample model's Deployment and Service (annotated modelguard.dev/policy: POLICY_NAME). */
export const MODEL_NAME = "sample-model";
export const MODEL_PORT = 8080;
export const POLICY_NAME = "e2e";

/** The namespace of the in-mesh clients that send the traffic. */
export const CLIENT_NAMESPACE = "e2e-client";
/** The ServiceAccount the policy's `callers` allow. */
export const CALLER_ACCOUNT = "traffic-client";
/** A ServiceAccount the policy does not allow: its requests must stop at RBAC. */
export const STRANGER_ACCOUNT = "stranger";

/** The Secret (in CLIENT_NAMESPACE) that holds the signing keys the clients mint tokens with. */
export const KEYS_SECRET = "e2e-keys";

/** The SPIFFE principal (Istio form) of a ServiceAccount in the kind cluster's trust domain. */
export const principalOf = (namespace: string, account: string): string => `cluster.local/ns/${namespace}/sa/${account}`;

/** The model Service as a client in the mesh reaches it. */
export const MODEL_URL = `http://${MODEL_NAME}.${MODEL_NAMESPACE}.svc.cluster.local:${MODEL_PORT}`;
