export interface WasmHttpFilterOptions {
  /** Plugin name (also the vm_id), shows up in Envoy's wasm log lines and stats. */
  name: string;
  /** The module: a path Envoy reads, or the bytes inlined into the config (base64). */
  code: { file: string } | { bytes: Uint8Array };
  /** The plugin configuration string the filter reads in proxy_on_configure (often JSON). */
  configuration?: string;
  /** root_id the module's root context answers to (default ""). */
  rootId?: string;
  /** Default "envoy.wasm.runtime.v8", the runtime Istio sidecars use. */
  runtime?: string;
  /** FAIL_CLOSED (default, as ModelGuard ships) or FAIL_OPEN when the VM is broken. */
  failurePolicy?: "FAIL_CLOSED" | "FAIL_OPEN" | "FAIL_RELOAD";
}

/** An `envoy.filters.http.wasm` HTTP filter entry for proxyBootstrap's httpFilters. */
export function wasmHttpFilter(opts: WasmHttpFilterOptions): Record<string, unknown> {
  const code = "file" in opts.code
    ? { local: { filename: opts.code.file } }
    : { local: { inline_bytes: Buffer.from(opts.code.bytes).toString("base64") } };
  return {
    name: "envoy.filters.http.wasm",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
      config: {
        name: opts.name,
        root_id: opts.rootId ?? "",
        failure_policy: opts.failurePolicy ?? "FAIL_CLOSED",
        configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: opts.configuration ?? "" },
        vm_config: {
          vm_id: opts.name,
          runtime: opts.runtime ?? "envoy.wasm.runtime.v8",
          code,
        },
      },
    },
  };
}
