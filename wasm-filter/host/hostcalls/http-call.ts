// proxy_http_call: recorded for the test (or the exchange driver) to answer.
import { WasmResult } from "../abi.js";
import { deserializePairs } from "../header-map.js";
import type { VmState } from "./vm-state.js";

const REQUIRED = [":method", ":path", ":authority"];

export function httpCallImports(vm: VmState) {
  return {
    proxy_http_call(
      upstreamPtr: number, upstreamSize: number,
      headersPtr: number, headersSize: number,
      bodyPtr: number, bodySize: number,
      trailersPtr: number, trailersSize: number,
      timeoutMs: number, tokenPtr: number,
    ): number {
      const upstream = vm.mem.readString(upstreamPtr, upstreamSize);
      const headerBytes = vm.mem.readBytes(headersPtr, headersSize);
      const body = vm.mem.readBytes(bodyPtr, bodySize);
      const trailerBytes = vm.mem.readBytes(trailersPtr, trailersSize);
      if (upstream === null || headerBytes === null || body === null || trailerBytes === null) return WasmResult.InvalidMemoryAccess;
      if (!vm.mem.writeU32(tokenPtr, 0)) return WasmResult.InvalidMemoryAccess;
      const headers = deserializePairs(headerBytes);
      const trailers = deserializePairs(trailerBytes);
      if (headers === null || trailers === null) return WasmResult.ParseFailure;
      if (vm.knownUpstreams !== undefined && !vm.knownUpstreams.has(upstream)) return WasmResult.BadArgument;
      if (!REQUIRED.every((name) => headers.some(([key]) => key === name))) return WasmResult.BadArgument;
      const token = vm.recordHttpCall({ upstream, headers, body, trailers, timeoutMs: timeoutMs >>> 0 });
      // Completed inside the call (Envoy: a local reply before send() returned): the token is never handed out.
      if (vm.answerInline(token)) return WasmResult.InternalFailure;
      return vm.mem.writeU32(tokenPtr, token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
