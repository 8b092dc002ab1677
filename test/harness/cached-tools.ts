// Where the install scripts cache what they build, and how tests find it: one place for the
// cache root, the pinned versions files and the "not installed" message.
import { accessSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** `${MODELGUARD_CACHE:-$HOME/.cache/modelguard}`, where the install scripts cache their builds. */
export function cacheDir(): string {
  return process.env.MODELGUARD_CACHE ?? join(homedir(), ".cache", "modelguard");
}

/** KEY=value lines of a versions.env file; `MODELGUARD_<KEY>` in the environment overrides a key
 *  when `allowEnvOverride` (as the install scripts allow for the data-plane tools). */
export function readVersionsEnv(file: string, allowEnvOverride: boolean): (key: string) => string {
  const vars = new Map<string, string>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  return (key: string): string => {
    const value = (allowEnvOverride ? process.env[`MODELGUARD_${key}`] : undefined) ?? vars.get(key);
    if (value === undefined) throw new Error(`${file} has no ${key}=`);
    return value;
  };
}

/** `path` if it is accessible with `mode`, else an error naming what is missing and how to get it. */
export function requireCached(path: string, what: string, mode: number, hint: string): string {
  try {
    accessSync(path, mode);
  } catch {
    throw new Error(`${what} not found at ${path}: ${hint}`);
  }
  return path;
}
