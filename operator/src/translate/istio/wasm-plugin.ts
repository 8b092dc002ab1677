import type { FilterConfig } from "../../api/filter-config.js";
import type { WasmModuleRef } from "../inputs.js";
import type { ResolvedPolicy, ResolvedTarget } from "../ir.js";
import { childMeta, type KubeObject } from "../metadata.js";
import { childName } from "../names.js";

export const PLUGIN_NAME = "modelguard";

/**
 * The filter in the target's inbound sidecar. Phase STATS runs after jwt_authn and RBAC, so the
 * filter sees verified claims only. FAIL_CLOSE: if the module cannot be fetched or loaded, the
 * listener rejects traffic rather than serving the model unprotected.
 */
export function buildWasmPlugin(policy: ResolvedPolicy, target: ResolvedTarget, wasm: WasmModuleRef, config: FilterConfig): KubeObject {
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: childMeta(policy, childName(policy.name, target.name, "filter"), target.name),
    spec: {
      selector: { matchLabels: target.selector },
      url: wasm.url,
      ...(wasm.sha256 !== undefined ? { sha256: wasm.sha256 } : {}),
      pluginName: PLUGIN_NAME,
      phase: "STATS",
      failStrategy: policy.spec.failureMode === "Open" ? "FAIL_OPEN" : "FAIL_CLOSE",
      type: "HTTP",
      match: [{ mode: "SERVER" }],
      pluginConfig: config,
    },
  };
}
