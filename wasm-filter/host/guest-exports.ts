// The guest's proxy_on_* exports, typed. Missing callbacks are optional in the
// spec; the defaults here are what Envoy assumes when one is absent.
import { UnsupportedImportError } from "./errors.js";

type Fn0 = () => number | void;
type Fn1 = (a: number) => number;
type Fn2 = (a: number, b: number) => number;
type Fn3 = (a: number, b: number, c: number) => number;
type Fn5 = (a: number, b: number, c: number, d: number, e: number) => number;

export interface GuestExports {
  readonly memory: WebAssembly.Memory;
  readonly initialize: Fn0 | undefined;
  readonly allocate: Fn1;
  readonly contextCreate: Fn2 | undefined;
  readonly vmStart: Fn2 | undefined;
  readonly configure: Fn2 | undefined;
  readonly tick: Fn1 | undefined;
  readonly queueReady: Fn2 | undefined;
  readonly httpCallResponse: Fn5 | undefined;
  readonly requestHeaders: Fn3 | undefined;
  readonly requestBody: Fn3 | undefined;
  readonly requestTrailers: Fn2 | undefined;
  readonly responseHeaders: Fn3 | undefined;
  readonly responseBody: Fn3 | undefined;
  readonly responseTrailers: Fn2 | undefined;
  readonly done: Fn1 | undefined;
  readonly log: Fn1 | undefined;
  readonly delete: Fn1 | undefined;
}

export function readGuestExports(instance: WebAssembly.Instance): GuestExports {
  const e = instance.exports as Record<string, unknown>;
  const fn = <T>(name: string): T | undefined => (typeof e[name] === "function" ? (e[name] as T) : undefined);
  const memory = e["memory"];
  if (!(memory instanceof WebAssembly.Memory)) throw new TypeError("module does not export its memory as `memory`");
  const allocate = fn<Fn1>("proxy_on_memory_allocate") ?? fn<Fn1>("malloc");
  if (allocate === undefined) throw new TypeError("module exports neither proxy_on_memory_allocate nor malloc");
  if (fn("proxy_abi_version_0_2_1") === undefined) throw new TypeError("module does not export proxy_abi_version_0_2_1");
  return {
    memory,
    initialize: fn<Fn0>("_initialize") ?? fn<Fn0>("_start"),
    allocate,
    contextCreate: fn("proxy_on_context_create"),
    vmStart: fn("proxy_on_vm_start"),
    configure: fn("proxy_on_configure"),
    tick: fn("proxy_on_tick"),
    queueReady: fn("proxy_on_queue_ready"),
    httpCallResponse: fn("proxy_on_http_call_response"),
    requestHeaders: fn("proxy_on_request_headers"),
    requestBody: fn("proxy_on_request_body"),
    requestTrailers: fn("proxy_on_request_trailers"),
    responseHeaders: fn("proxy_on_response_headers"),
    responseBody: fn("proxy_on_response_body"),
    responseTrailers: fn("proxy_on_response_trailers"),
    done: fn("proxy_on_done"),
    log: fn("proxy_on_log"),
    delete: fn("proxy_on_delete"),
  };
}

/** Imports the module needs that `provided` lacks, as "module.name". */
export function missingImports(module: WebAssembly.Module, provided: Record<string, Record<string, unknown>>): string[] {
  return WebAssembly.Module.imports(module)
    .filter((imp) => provided[imp.module]?.[imp.name] === undefined)
    .map((imp) => `${imp.module}.${imp.name}`);
}

export function assertImportsProvided(module: WebAssembly.Module, provided: Record<string, Record<string, unknown>>): void {
  const missing = missingImports(module, provided);
  if (missing.length > 0) throw new UnsupportedImportError(missing);
}
