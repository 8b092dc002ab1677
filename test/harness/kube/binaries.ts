import { constants } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, readVersionsEnv, requireCached } from "../cached-tools.js";

/** Versions pinned in versions.env, which scripts/install-kube.sh also reads. */
export interface KubeVersions {
  kube: string;
  etcd: string;
  istioApi: string;
}

export interface KubeBinaries {
  kubeApiserver: string;
  etcd: string;
}

const INSTALL_HINT = "run `bash scripts/install-kube.sh` (it builds them once and caches them)";

export { cacheDir };

export function kubeVersions(): KubeVersions {
  const get = readVersionsEnv(join(dirname(fileURLToPath(import.meta.url)), "versions.env"), false);
  return { kube: get("KUBE_VERSION"), etcd: get("ETCD_VERSION"), istioApi: get("ISTIO_API_VERSION") };
}

function requireFile(path: string, what: string, mode: number): string {
  return requireCached(path, what, mode, INSTALL_HINT);
}

/** Paths of the cached kube-apiserver and etcd builds; throws naming install-kube.sh if missing. */
export function kubeBinaries(): KubeBinaries {
  const v = kubeVersions();
  const root = cacheDir();
  return {
    kubeApiserver: requireFile(join(root, `kube-apiserver-${v.kube}`, "kube-apiserver"), `kube-apiserver ${v.kube}`, constants.X_OK),
    etcd: requireFile(join(root, `etcd-${v.etcd}`, "etcd"), `etcd ${v.etcd}`, constants.X_OK),
  };
}

/** Path of the Istio CRD YAML copied from the istio.io/api Go module; throws if missing. */
export function istioCrdsPath(): string {
  const v = kubeVersions();
  const path = join(cacheDir(), `istio-crds-${v.istioApi}`, "customresourcedefinitions.gen.yaml");
  return requireFile(path, `Istio CRDs ${v.istioApi}`, constants.R_OK);
}
