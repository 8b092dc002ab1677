// The proxy_on_* callbacks the host calls. An entry file re-exports this module
// (`export * from "./abi/exports"`); AssemblyScript exports only what the entry
// file exports. Unknown context ids are ignored, never trapped on.
//
// Every callback runs between enter() and leave() (collect.ts): garbage is collected only when
// the outermost callback returns, never inside one a host makes while another is still running
// (the ABI does not forbid a host to answer proxy_http_call from inside the call; Envoy 1.40
// answers later, see test/envoy-harness/wasm.test.ts).
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus } from "./types";
import { enter, leave, noteBodyBytes } from "./collect";
import {
  createHttpContext, createRootContext, findContext, findRoot, findStream, forgetContext, HttpContext,
} from "./context";
// Pulls the abort replacement into every module built on this layer.
import "./abort";

/** Marker: this module speaks ABI 0.2.1. Never called. */
export function proxy_abi_version_0_2_1(): void {}

/** The host asks for memory to return data in; heap.alloc is outside the GC, and the guest frees it after copying. */
export function proxy_on_memory_allocate(size: usize): usize {
  return heap.alloc(size);
}

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  enter();
  if (parentContextId == 0) createRootContext(contextId);
  else createHttpContext(contextId, parentContextId);
  leave(false);
}

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: usize): bool {
  enter();
  const root = findRoot(rootContextId);
  const ok = root === null ? false : root.onVmStart(vmConfigurationSize);
  leave(true);
  return ok;
}

export function proxy_on_configure(rootContextId: u32, pluginConfigurationSize: usize): bool {
  enter();
  noteBodyBytes(pluginConfigurationSize);
  const root = findRoot(rootContextId);
  const ok = root === null ? false : root.onConfigure(pluginConfigurationSize);
  leave(true);
  return ok;
}

export function proxy_on_tick(rootContextId: u32): void {
  enter();
  const root = findRoot(rootContextId);
  if (root !== null) root.onTick();
  leave(true);
}

export function proxy_on_queue_ready(rootContextId: u32, queueId: u32): void {
  enter();
  const root = findRoot(rootContextId);
  if (root !== null) root.onQueueReady(queueId);
  leave(true);
}

export function proxy_on_http_call_response(rootContextId: u32, token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
  enter();
  noteBodyBytes(bodySize);
  const root = findRoot(rootContextId);
  if (root !== null) root.onHttpCallResponse(token, numHeaders, bodySize, numTrailers);
  leave(true);
}

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  enter();
  const http = findStream(contextId);
  const status = http === null ? FilterHeadersStatus.Continue : http.onRequestHeaders(numHeaders, endOfStream != 0);
  leave(false);
  return status;
}

export function proxy_on_request_body(contextId: u32, bodySize: usize, endOfStream: u32): u32 {
  enter();
  const http = findStream(contextId);
  if (http !== null && endOfStream != 0) noteBodyBytes(bodySize);
  const status = http === null ? FilterDataStatus.Continue : http.onRequestBody(bodySize, endOfStream != 0);
  leave(false);
  return status;
}

export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): u32 {
  enter();
  const http = findStream(contextId);
  const status = http === null ? FilterTrailersStatus.Continue : http.onRequestTrailers(numTrailers);
  leave(false);
  return status;
}

export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  enter();
  const http = findStream(contextId);
  const status = http === null ? FilterHeadersStatus.Continue : http.onResponseHeaders(numHeaders, endOfStream != 0);
  leave(false);
  return status;
}

export function proxy_on_response_body(contextId: u32, bodySize: usize, endOfStream: u32): u32 {
  enter();
  const http = findStream(contextId);
  if (http !== null && endOfStream != 0) noteBodyBytes(bodySize);
  const status = http === null ? FilterDataStatus.Continue : http.onResponseBody(bodySize, endOfStream != 0);
  leave(false);
  return status;
}

export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): u32 {
  enter();
  const http = findStream(contextId);
  const status = http === null ? FilterTrailersStatus.Continue : http.onResponseTrailers(numTrailers);
  leave(false);
  return status;
}

export function proxy_on_done(contextId: u32): bool {
  enter();
  const context = findContext(contextId);
  const done = context === null ? true : context.onDone();
  leave(false);
  return done;
}

export function proxy_on_log(contextId: u32): void {
  enter();
  const context = findContext(contextId);
  if (context !== null) context.onLog();
  leave(false);
}

export function proxy_on_delete(contextId: u32): void {
  enter();
  const context = findContext(contextId);
  if (context !== null) {
    context.onDelete();
    forgetContext(contextId);
  }
  leave(context instanceof HttpContext);
}
