// The proxy_on_* callbacks the host calls. An entry file re-exports this module
// (`export * from "./abi/exports"`); AssemblyScript exports only what the entry
// file exports. Unknown context ids are ignored, never trapped on.
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus } from "./types";
import { collectIfDue, noteBodyBytes } from "./collect";
import {
  createHttpContext, createRootContext, findContext, findRoot, findStream, forgetContext,
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
  if (parentContextId == 0) createRootContext(contextId);
  else createHttpContext(contextId, parentContextId);
}

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: usize): bool {
  const ok = startVm(rootContextId, vmConfigurationSize);
  collectIfDue();
  return ok;
}

function startVm(rootContextId: u32, vmConfigurationSize: usize): bool {
  const root = findRoot(rootContextId);
  return root === null ? false : root.onVmStart(vmConfigurationSize);
}

export function proxy_on_configure(rootContextId: u32, pluginConfigurationSize: usize): bool {
  noteBodyBytes(pluginConfigurationSize);
  const ok = configure(rootContextId, pluginConfigurationSize);
  collectIfDue();
  return ok;
}

function configure(rootContextId: u32, pluginConfigurationSize: usize): bool {
  const root = findRoot(rootContextId);
  return root === null ? false : root.onConfigure(pluginConfigurationSize);
}

export function proxy_on_tick(rootContextId: u32): void {
  const root = findRoot(rootContextId);
  if (root !== null) root.onTick();
  collectIfDue();
}

export function proxy_on_queue_ready(rootContextId: u32, queueId: u32): void {
  const root = findRoot(rootContextId);
  if (root !== null) root.onQueueReady(queueId);
  collectIfDue();
}

export function proxy_on_http_call_response(rootContextId: u32, token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
  noteBodyBytes(bodySize);
  const root = findRoot(rootContextId);
  if (root !== null) root.onHttpCallResponse(token, numHeaders, bodySize, numTrailers);
  collectIfDue();
}

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  const http = findStream(contextId);
  if (http === null) return FilterHeadersStatus.Continue;
  return http.onRequestHeaders(numHeaders, endOfStream != 0);
}

export function proxy_on_request_body(contextId: u32, bodySize: usize, endOfStream: u32): u32 {
  const http = findStream(contextId);
  if (http === null) return FilterDataStatus.Continue;
  if (endOfStream != 0) noteBodyBytes(bodySize);
  return http.onRequestBody(bodySize, endOfStream != 0);
}

export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): u32 {
  const http = findStream(contextId);
  if (http === null) return FilterTrailersStatus.Continue;
  return http.onRequestTrailers(numTrailers);
}

export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  const http = findStream(contextId);
  if (http === null) return FilterHeadersStatus.Continue;
  return http.onResponseHeaders(numHeaders, endOfStream != 0);
}

export function proxy_on_response_body(contextId: u32, bodySize: usize, endOfStream: u32): u32 {
  const http = findStream(contextId);
  if (http === null) return FilterDataStatus.Continue;
  if (endOfStream != 0) noteBodyBytes(bodySize);
  return http.onResponseBody(bodySize, endOfStream != 0);
}

export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): u32 {
  const http = findStream(contextId);
  if (http === null) return FilterTrailersStatus.Continue;
  return http.onResponseTrailers(numTrailers);
}

export function proxy_on_done(contextId: u32): bool {
  const context = findContext(contextId);
  return context === null ? true : context.onDone();
}

export function proxy_on_log(contextId: u32): void {
  const context = findContext(contextId);
  if (context !== null) context.onLog();
}

export function proxy_on_delete(contextId: u32): void {
  const context = findContext(contextId);
  if (context === null) return;
  context.onDelete();
  forgetContext(contextId);
  collectIfDue();
}
