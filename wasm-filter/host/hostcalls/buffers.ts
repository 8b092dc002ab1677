// Buffer hostcalls: bodies of the effective stream, configurations while they
// are being delivered, and the body of the HTTP call response.
import { BufferType, MAX_BUFFER_TYPE, WasmResult } from "../abi.js";
import type { ByteBuffer } from "../byte-buffer.js";
import type { VmState } from "./vm-state.js";

function bufferFor(vm: VmState, type: number): ByteBuffer | WasmResult.NotFound | WasmResult.BadArgument {
  if (type < 0 || type > MAX_BUFFER_TYPE) return WasmResult.BadArgument;
  switch (type) {
    case BufferType.HttpRequestBody: return vm.effectiveStream?.requestBody ?? WasmResult.NotFound;
    case BufferType.HttpResponseBody: return vm.effectiveStream?.responseBody ?? WasmResult.NotFound;
    case BufferType.HttpCallResponseBody: return vm.callResponse?.body ?? WasmResult.NotFound;
    case BufferType.VmConfiguration: return vm.vmConfiguration ?? WasmResult.NotFound;
    case BufferType.PluginConfiguration: return vm.pluginConfiguration ?? WasmResult.NotFound;
    default: return WasmResult.NotFound; // TCP data, gRPC messages, foreign calls: not in an HTTP host
  }
}

export function bufferImports(vm: VmState) {
  return {
    proxy_get_buffer_bytes(type: number, start: number, maxSize: number, ptrPtr: number, sizePtr: number): number {
      const buffer = bufferFor(vm, type);
      if (typeof buffer === "number") return buffer;
      return vm.mem.returnBytes(buffer.slice(start >>> 0, maxSize >>> 0), ptrPtr, sizePtr);
    },
    proxy_set_buffer_bytes(type: number, start: number, size: number, ptr: number, length: number): number {
      const buffer = bufferFor(vm, type);
      if (typeof buffer === "number") return buffer;
      if (type === BufferType.VmConfiguration || type === BufferType.PluginConfiguration || type === BufferType.HttpCallResponseBody) {
        return WasmResult.BadArgument; // read-only in Envoy
      }
      const bytes = vm.mem.readBytes(ptr, length);
      if (bytes === null) return WasmResult.InvalidMemoryAccess;
      return buffer.replace(start >>> 0, size >>> 0, bytes);
    },
    proxy_get_buffer_status(type: number, sizePtr: number, flagsPtr: number): number {
      const buffer = bufferFor(vm, type);
      if (typeof buffer === "number") return buffer;
      return vm.mem.writeU32(sizePtr, buffer.length) && vm.mem.writeU32(flagsPtr, 0) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
