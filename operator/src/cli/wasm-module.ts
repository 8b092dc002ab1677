import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { WasmModuleRef } from "../translate/inputs.js";

/** Where the operator Service serves the filter when installed by the Helm chart. */
export const DEFAULT_WASM_BASE_URL = "http://modelguard.modelguard-system.svc.cluster.local:8080/wasm";

/** The compiled filter inside this package (built by `npm run build:wasm`). */
export function bundledWasmPath(): string {
  // dist/operator/src/cli → repo root, or operator/src/cli under tsx.
  const candidates = ["../../../wasm-filter/build/modelguard.wasm", "../../../../wasm-filter/build/modelguard.wasm"];
  for (const rel of candidates) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fileURLToPath(new URL(candidates[0] ?? "", import.meta.url));
}

export const sha256File = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/**
 * The module reference for rendered WasmPlugins. The URL carries the digest so a new build is a
 * new URL (sidecars cache modules by URL); Istio also checks the sha256.
 */
export function resolveWasmModule(opts: { url?: string; sha256?: string; wasmFile?: string }): { ref: WasmModuleRef; warning?: string } {
  let sha256 = opts.sha256;
  let warning: string | undefined;
  if (sha256 === undefined) {
    const file = opts.wasmFile ?? bundledWasmPath();
    if (existsSync(file)) sha256 = sha256File(file);
    else warning = `filter module ${file} not found (run \`npm run build:wasm\`); WasmPlugins are rendered without sha256`;
  }
  const url = opts.url ?? `${DEFAULT_WASM_BASE_URL}/${sha256 ?? "modelguard"}.wasm`;
  return { ref: { url, ...(sha256 !== undefined ? { sha256 } : {}) }, ...(warning !== undefined ? { warning } : {}) };
}
