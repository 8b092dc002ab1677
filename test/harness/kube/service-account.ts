import { ApiException, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";

/** Creates the ServiceAccount if it does not exist yet and returns a bound token for it from
 *  the TokenRequest API (signed with the control plane's service-account key), so a test can
 *  act as an operator's ServiceAccount and exercise its RBAC. */
export async function requestServiceAccountToken(
  admin: KubeConfig,
  namespace: string,
  name: string,
  expirationSeconds = 3600,
): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  } catch (err) {
    if (!(err instanceof ApiException && err.code === 409)) throw err;
  }
  const res = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    // No audiences: the apiserver fills in its own (the issuer), which it then accepts.
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = res.status?.token;
  if (token === undefined || token === "") throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  return token;
}
