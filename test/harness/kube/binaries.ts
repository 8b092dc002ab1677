import { accessSync, constants, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

/** `${MODELGUARD_CACHE:-$HOME/.cache/modelguard}`, where the install scripts cache their builds. */
export function cacheDir(): string {
  return process.env.MODELGUARD_CACHE ?? join(homedir(), ".cache", "modelguard");
}

export function kubeVersions(): KubeVersions {
  const file = join(dirname(fileURLToPath(import.meta.url)), "versions.env");
  const vars = new Map<string, string>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  const get = (key: string): string => {
    const value = vars.get(key);
    if (value === undefined) throw new Error(`${file} has no ${key}=`);
    return value;
  };
  return { kube: get("KUBE_VERSION"), etcd: get("ETCD_VERSION"), istioApi: get("ISTIO_API_VERSION") };
}

function requireFile(path: string, what: string, mode: number): string {
  try {
    accessSync(path, mode);
  } catch {
    throw new Error(`${what} not found at ${path}: ${INSTALL_HINT}`);
  }
  return path;
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
