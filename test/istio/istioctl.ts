// Where the istioctl that scripts/install-istioctl.sh builds lives, and how to run its offline
// `validate`.
import { spawnSync } from "node:child_process";
import { constants } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, readVersionsEnv, requireCached } from "../harness/cached-tools.js";

const INSTALL_HINT = "run `bash scripts/install-istioctl.sh` (it builds istioctl once from the Go module istio.io/istio and caches it)";

/** The pinned istio.io/istio module version (test/istio/versions.env; MODELGUARD_ISTIOCTL_VERSION overrides, as in the script). */
export function istioctlVersion(): string {
  return readVersionsEnv(join(dirname(fileURLToPath(import.meta.url)), "versions.env"), true)("ISTIOCTL_VERSION");
}

/** `$MODELGUARD_ISTIOCTL_BIN`, else the cached build; throws naming the install script when missing. */
export function istioctlBin(): string {
  const fromEnv = process.env.MODELGUARD_ISTIOCTL_BIN;
  if (fromEnv) return requireCached(fromEnv, "istioctl (MODELGUARD_ISTIOCTL_BIN)", constants.X_OK, INSTALL_HINT);
  const version = istioctlVersion();
  return requireCached(join(cacheDir(), `istioctl-${version}`, "istioctl"), `istioctl ${version}`, constants.X_OK, INSTALL_HINT);
}

export interface ValidateResult {
  status: number | null;
  /** stdout and stderr together (istioctl writes its verdict and warnings to stderr). */
  output: string;
  /** `"<file>" has warnings: ...` text, one entry per warning line; empty when there are none. */
  warnings: string[];
  /** From cobra's `Error: ...` line on: the reasons a failed validation gives; empty on success. */
  errors: string[];
}

/**
 * `istioctl validate -f <file>`: Istio's own semantic validation (the same ValidateConfig the
 * istiod validating webhook runs), entirely offline. The command never builds a Kubernetes
 * client; it only reads a kubeconfig to pick a namespace for objects that name none. `env` lets a
 * caller pin that kubeconfig.
 */
export function istioctlValidate(bin: string, file: string, env: NodeJS.ProcessEnv = process.env): ValidateResult {
  const res = spawnSync(bin, ["validate", "-f", file], { encoding: "utf8", env, timeout: 60_000 });
  if (res.error) throw new Error(`cannot run ${bin} validate: ${res.error.message}`);
  const output = `${res.stdout}${res.stderr}`;
  // Success prints `"<file>" is valid`, or `"<file>" has warnings:` and a bullet per warning.
  // Failure prints the same warning block first, then cobra's `Error: ...` with a bullet per error.
  const warnings: string[] = [];
  const errors: string[] = [];
  let inErrors = false;
  for (const raw of output.split("\n")) {
    const line = raw.trim();
    if (line.length === 0 || line === `"${file}" is valid`) continue;
    if (line.startsWith("Error:")) inErrors = true;
    if (inErrors) errors.push(line);
    else if (line.startsWith(`"${file}" has warnings:`)) {
      const rest = line.slice(`"${file}" has warnings:`.length).trim();
      if (rest) warnings.push(rest);
    } else warnings.push(line);
  }
  return { status: res.status, output, warnings, errors };
}
