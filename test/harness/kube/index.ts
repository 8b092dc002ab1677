export { expectApiFailure, type ApiFailure } from "./api-errors.js";
export { cacheDir, istioCrdsPath, kubeBinaries, kubeVersions, type KubeBinaries, type KubeVersions } from "./binaries.js";
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from "./control-plane.js";
export type { CrdSource } from "./crds.js";
export type { StaticUser } from "./credentials.js";
export { makeKubeConfig, renderKubeconfig, type KubeconfigParams } from "./kubeconfig.js";
