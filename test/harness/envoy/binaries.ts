import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, readVersionsEnv, requireCached } from "../cached-tools.js";

/** Versions pinned in versions.env, which scripts/install-envoy.sh and
 *  scripts/install-ratelimit.sh read too. MODELGUARD_ENVOY_VERSION and
 *  MODELGUARD_RATELIMIT_VERSION override them, as they do in the scripts. */
export interface DataPlaneVersions {
  envoy: string;
  /** Go pseudo-version of github.com/envoyproxy/ratelimit. */
  ratelimit: string;
}

export { cacheDir };

export function dataPlaneVersions(): DataPlaneVersions {
  const get = readVersionsEnv(join(dirname(fileURLToPath(import.meta.url)), "versions.env"), true);
  return { envoy: get("ENVOY_VERSION"), ratelimit: get("RATELIMIT_VERSION") };
}

function requireExecutable(path: string, what: string, hint: string): string {
  return requireCached(path, what, constants.X_OK, hint);
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** The Envoy binary: $MODELGUARD_ENVOY_BIN, else the one scripts/install-envoy.sh caches. */
export function envoyBinary(): string {
  const override = process.env.MODELGUARD_ENVOY_BIN;
  if (override !== undefined && override !== "") {
    return requireExecutable(override, "Envoy (MODELGUARD_ENVOY_BIN)", "point it at an envoy binary");
  }
  const { envoy } = dataPlaneVersions();
  return requireExecutable(
    join(cacheDir(), `envoy-${envoy}`, "envoy"),
    `Envoy ${envoy}`,
    "run `bash scripts/install-envoy.sh` (installs it once and caches it)",
  );
}

/** Envoy's ratelimit service: $MODELGUARD_RATELIMIT_BIN, else the scripts/install-ratelimit.sh build. */
export function ratelimitBinary(): string {
  const override = process.env.MODELGUARD_RATELIMIT_BIN;
  if (override !== undefined && override !== "") {
    return requireExecutable(override, "ratelimit (MODELGUARD_RATELIMIT_BIN)", "point it at a service_cmd binary");
  }
  const { ratelimit } = dataPlaneVersions();
  return requireExecutable(
    join(cacheDir(), `ratelimit-${ratelimit}`, "service_cmd"),
    `ratelimit ${ratelimit}`,
    "run `bash scripts/install-ratelimit.sh` (builds it once and caches it)",
  );
}

/** redis-server: $MODELGUARD_REDIS_BIN, else the one on PATH (Debian's, via scripts/install-ratelimit.sh). */
export function redisServerBinary(): string {
  const hint = "run `bash scripts/install-ratelimit.sh` (installs Debian's redis-server)";
  const override = process.env.MODELGUARD_REDIS_BIN;
  if (override !== undefined && override !== "") {
    return requireExecutable(override, "redis-server (MODELGUARD_REDIS_BIN)", "point it at a redis-server binary");
  }
  const found = onPath("redis-server");
  if (found !== undefined) return found;
  // Debian installs it in /usr/bin; a test runner's PATH may be minimal.
  return requireExecutable("/usr/bin/redis-server", "redis-server (not on PATH either)", hint);
}
