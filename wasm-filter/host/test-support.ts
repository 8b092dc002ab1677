// Shared by the host tests: locate a compiled fixture, building it first if
// it is missing, and create configured VMs.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ProxyWasmHost } from "./host.js";
import type { HostOptions } from "./host.js";

const wasmFilter = join(dirname(fileURLToPath(import.meta.url)), "..");

export function fixturePath(name: string): string {
  const path = join(wasmFilter, "build", "fixtures", `${name}.wasm`);
  if (existsSync(path)) return path;
  const build = spawnSync(process.execPath, [join(wasmFilter, "scripts", "build.mjs"), "--only", name], { encoding: "utf8" });
  if (build.status !== 0 || !existsSync(path)) {
    throw new Error(`fixture ${name}.wasm is missing and building it failed; run \`npm run build:wasm\`.\n${build.stdout}${build.stderr}`);
  }
  return path;
}

export function fixtureHost(name: string, options?: HostOptions): ProxyWasmHost {
  return ProxyWasmHost.fromFile(fixturePath(name), options);
}

export const FEATURES_CONFIG = "deny_word=forbidden\nmax_body=64\nprefix=<<\nsuffix=>>\n";

export const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The value of a header in pairs, or undefined. */
export function header(pairs: readonly [string, string][] | undefined, name: string): string | undefined {
  return pairs?.find(([key]) => key === name)?.[1];
}

export const OK_UPSTREAM = { status: 200, headers: { "content-type": "text/plain", "content-length": "5" }, body: "hello" };
