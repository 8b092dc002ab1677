// Every built module may import only what Envoy's wasm runtime links:
// env.proxy_* of ABI 0.2.1 and the few WASI functions Envoy implements.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { fixturePath } from "./test-support.js";

const ENVOY_PROXY_IMPORTS = new Set([
  "proxy_log", "proxy_get_log_level", "proxy_get_current_time_nanoseconds", "proxy_set_tick_period_milliseconds",
  "proxy_done", "proxy_set_effective_context", "proxy_get_property", "proxy_set_property",
  "proxy_get_buffer_bytes", "proxy_set_buffer_bytes", "proxy_get_buffer_status",
  "proxy_get_header_map_pairs", "proxy_set_header_map_pairs", "proxy_get_header_map_size",
  "proxy_get_header_map_value", "proxy_add_header_map_value", "proxy_replace_header_map_value", "proxy_remove_header_map_value",
  "proxy_continue_stream", "proxy_close_stream", "proxy_send_local_response", "proxy_http_call",
  "proxy_get_shared_data", "proxy_set_shared_data",
  "proxy_register_shared_queue", "proxy_resolve_shared_queue", "proxy_enqueue_shared_queue", "proxy_dequeue_shared_queue",
  "proxy_define_metric", "proxy_increment_metric", "proxy_record_metric", "proxy_get_metric",
]);
const ENVOY_WASI_IMPORTS = new Set(["fd_write", "clock_time_get", "random_get", "environ_get", "environ_sizes_get", "args_get", "args_sizes_get", "proc_exit"]);

function unexpectedImports(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.imports(module)
    .filter((imp) => {
      if (imp.kind !== "function") return true;
      if (imp.module === "env") return !ENVOY_PROXY_IMPORTS.has(imp.name);
      if (imp.module === "wasi_snapshot_preview1") return !ENVOY_WASI_IMPORTS.has(imp.name);
      return true;
    })
    .map((imp) => `${imp.module}.${imp.name} (${imp.kind})`);
}

const build = join(dirname(fileURLToPath(import.meta.url)), "..", "build");
fixturePath("passthrough");
fixturePath("features");
const modules = [
  ...readdirSync(join(build, "fixtures")).filter((f) => f.endsWith(".wasm")).map((f) => join(build, "fixtures", f)),
  ...(existsSync(join(build, "modelguard.wasm")) ? [join(build, "modelguard.wasm")] : []),
];

describe("built modules", () => {
  for (const path of modules) {
    const module = new WebAssembly.Module(readFileSync(path));
    it(`${path.slice(build.length + 1)} imports only what Envoy provides`, () => {
      assert.deepEqual(unexpectedImports(module), []);
    });
    it(`${path.slice(build.length + 1)} exports the ABI 0.2.1 entry points`, () => {
      const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
      for (const name of ["proxy_abi_version_0_2_1", "proxy_on_memory_allocate", "proxy_on_context_create", "memory", "_initialize"]) {
        assert.ok(names.has(name), `missing export ${name}`);
      }
      assert.ok(!names.has("proxy_abi_version_0_2_0"), "must not advertise two ABI versions");
    });
  }
});
