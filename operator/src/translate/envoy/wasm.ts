import type { FilterConfig } from "../../api/filter-config.js";
import type { ResolvedPolicy } from "../ir.js";
import { PLUGIN_NAME } from "../istio/wasm-plugin.js";

/**
 * The ModelGuard filter on V8 (the runtime Istio sidecars use) with the same JSON configuration
 * as the mesh's WasmPlugin. It runs after jwt_authn and RBAC, so it sees verified claims only.
 * FAIL_CLOSED unless the policy asks for failureMode Open, like the WasmPlugin's failStrategy.
 */
export function buildWasmFilter(policy: ResolvedPolicy, config: FilterConfig, wasmFile: string): Record<string, unknown> {
  return {
    name: "envoy.filters.http.wasm",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
      config: {
        name: PLUGIN_NAME,
        root_id: PLUGIN_NAME,
        vm_config: {
          // Quotas live in shared data, which is per vm_id: every worker thread counts together.
          vm_id: PLUGIN_NAME,
          runtime: "envoy.wasm.runtime.v8",
          code: { local: { filename: wasmFile } },
        },
        configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: JSON.stringify(config) },
        failure_policy: policy.spec.failureMode === "Open" ? "FAIL_OPEN" : "FAIL_CLOSED",
      },
    },
  };
}
