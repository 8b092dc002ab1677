// Where scripts/install-prometheus-crds.sh puts the Prometheus Operator CRDs (ServiceMonitor,
// PrometheusRule) that the chart tests load into the apiserver: $CACHE/prometheus-crds-<version>/.
import { constants } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, readVersionsEnv, requireCached } from "../harness/cached-tools.js";

const INSTALL_HINT = "run `bash scripts/install-prometheus-crds.sh` (it copies them once from the Go module and caches them)";
const FILES = ["monitoring.coreos.com_servicemonitors.yaml", "monitoring.coreos.com_prometheusrules.yaml"];

/** The pinned github.com/prometheus-operator/prometheus-operator version (test/helm/versions.env). */
export function prometheusOperatorVersion(): string {
  return readVersionsEnv(join(dirname(fileURLToPath(import.meta.url)), "versions.env"), false)("PROMETHEUS_OPERATOR_VERSION");
}

/** Paths of the cached ServiceMonitor and PrometheusRule CRD files; throws naming the script if missing. */
export function prometheusCrdPaths(): string[] {
  const version = prometheusOperatorVersion();
  const dir = join(cacheDir(), `prometheus-crds-${version}`);
  return FILES.map((f) => requireCached(join(dir, f), `Prometheus Operator CRD ${f} ${version}`, constants.R_OK, INSTALL_HINT));
}
