// Hostcalls that steer streams and contexts: continue, close, local replies,
// effective context and proxy_done.
import { StreamType, WasmResult } from "../abi.js";
import { deserializePairs } from "../header-map.js";
import type { VmState } from "./vm-state.js";

export function streamControlImports(vm: VmState) {
  return {
    proxy_continue_stream(type: number): number {
      const stream = vm.effectiveStream;
      if (stream === undefined) return WasmResult.NotFound;
      if (type === StreamType.HttpRequest) stream.requestResumed = true;
      else if (type === StreamType.HttpResponse) stream.responseResumed = true;
      else return WasmResult.BadArgument;
      return WasmResult.Ok;
    },
    proxy_close_stream(type: number): number {
      const stream = vm.effectiveStream;
      if (stream === undefined) return WasmResult.NotFound;
      if (type !== StreamType.HttpRequest && type !== StreamType.HttpResponse) return WasmResult.BadArgument;
      stream.reset = true;
      return WasmResult.Ok;
    },
    proxy_send_local_response(
      status: number,
      detailsPtr: number, detailsSize: number,
      bodyPtr: number, bodySize: number,
      headersPtr: number, headersSize: number,
      grpcStatus: number,
    ): number {
      const stream = vm.effectiveStream;
      if (stream === undefined) return WasmResult.NotFound;
      const details = vm.mem.readString(detailsPtr, detailsSize);
      const body = vm.mem.readBytes(bodyPtr, bodySize);
      const headerBytes = vm.mem.readBytes(headersPtr, headersSize);
      if (details === null || body === null || headerBytes === null) return WasmResult.InvalidMemoryAccess;
      const headers = deserializePairs(headerBytes);
      if (headers === null) return WasmResult.ParseFailure;
      if (stream.localReply !== null) return WasmResult.BadArgument; // Envoy sends one local reply per stream
      stream.localReply = { status: status >>> 0, details, body, headers, grpcStatus: grpcStatus | 0, phase: vm.currentCallback };
      // Once the response has started downstream, Envoy can only reset the stream.
      if (stream.responseHeadersSent) stream.reset = true;
      return WasmResult.Ok;
    },
    proxy_set_effective_context(contextId: number): number {
      return vm.setEffectiveContext(contextId >>> 0) ? WasmResult.Ok : WasmResult.BadArgument;
    },
    proxy_done(): number {
      return vm.markDone() ? WasmResult.Ok : WasmResult.NotFound;
    },
  };
}
