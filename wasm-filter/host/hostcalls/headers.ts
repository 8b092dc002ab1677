// Header-map hostcalls over the effective stream's maps and the HTTP call response.
import { MAX_MAP_TYPE, MapType, WasmResult } from "../abi.js";
import type { HeaderMap } from "../header-map.js";
import { deserializePairs, serializeInto, serializedSize } from "../header-map.js";
import type { VmState } from "./vm-state.js";

/** The map for a map type, NotFound when it does not exist in this context, BadArgument for unknown types. */
function mapFor(vm: VmState, type: number): HeaderMap | WasmResult.NotFound | WasmResult.BadArgument {
  if (type < 0 || type > MAX_MAP_TYPE) return WasmResult.BadArgument;
  const stream = vm.effectiveStream;
  switch (type) {
    case MapType.HttpRequestHeaders:
      if (!stream) return WasmResult.NotFound;
      return stream.requestHeadersOpen ? stream.requestHeaders : WasmResult.BadArgument;
    case MapType.HttpRequestTrailers: return stream?.requestTrailers ?? WasmResult.NotFound;
    case MapType.HttpResponseHeaders:
      if (!stream) return WasmResult.NotFound;
      return stream.responseHeadersOpen ? stream.responseHeaders : WasmResult.BadArgument;
    case MapType.HttpResponseTrailers: return stream?.responseTrailers ?? WasmResult.NotFound;
    case MapType.HttpCallResponseHeaders: return vm.callResponse?.headers ?? WasmResult.NotFound;
    case MapType.HttpCallResponseTrailers: return vm.callResponse?.trailers ?? WasmResult.NotFound;
    default: return WasmResult.NotFound; // gRPC metadata: no gRPC calls in this host
  }
}

export function headerImports(vm: VmState) {
  const lengths: number[] = []; // reused across calls: serialization scratch

  return {
    proxy_get_header_map_pairs(type: number, ptrPtr: number, sizePtr: number): number {
      const map = mapFor(vm, type);
      if (typeof map === "number") return map;
      const size = serializedSize(map, lengths);
      const ptr = vm.mem.alloc(size);
      if (ptr < 0) return WasmResult.InvalidMemoryAccess;
      if (size > 0) serializeInto(map, lengths, vm.mem.bytes(), ptr);
      return vm.mem.writeU32(ptrPtr, ptr) && vm.mem.writeU32(sizePtr, size) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_header_map_pairs(type: number, ptr: number, size: number): number {
      const map = mapFor(vm, type);
      if (typeof map === "number") return map;
      const bytes = vm.mem.readBytes(ptr, size);
      if (bytes === null) return WasmResult.InvalidMemoryAccess;
      const pairs = deserializePairs(bytes);
      if (pairs === null) return WasmResult.ParseFailure;
      map.clear();
      for (const [key, value] of pairs) map.add(key, value);
      return WasmResult.Ok;
    },
    proxy_get_header_map_size(type: number, sizePtr: number): number {
      const map = mapFor(vm, type);
      if (typeof map === "number") return map;
      return vm.mem.writeU32(sizePtr, serializedSize(map, lengths)) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_get_header_map_value(type: number, keyPtr: number, keySize: number, ptrPtr: number, sizePtr: number): number {
      const map = mapFor(vm, type);
      if (typeof map === "number") return map;
      const key = vm.mem.readString(keyPtr, keySize);
      if (key === null) return WasmResult.InvalidMemoryAccess;
      const value = map.get(key);
      if (value === undefined) return WasmResult.NotFound;
      return vm.mem.returnString(value, ptrPtr, sizePtr);
    },
    proxy_add_header_map_value(type: number, keyPtr: number, keySize: number, valuePtr: number, valueSize: number): number {
      const map = mapFor(vm, type);
      if (typeof map === "number") return map;
      const key = vm.mem.readString(keyPtr, keySize);
      const value = vm.mem.readString(valuePtr, valueSize);
      if (key === null || value === null) return WasmResult.InvalidMemoryAccess;
      map.add(key, value);
      return WasmResult.Ok;
    },
    proxy_replace_header_map_value(type: number, keyPtr: number, keySize: number, valuePtr: number, valueSize: number): number {
      const map = mapFor(vm, type);
      if (typeof map === "number") return map;
      const key = vm.mem.readString(keyPtr, keySize);
      const value = vm.mem.readString(valuePtr, valueSize);
      if (key === null || value === null) return WasmResult.InvalidMemoryAccess;
      map.replace(key, value);
      return WasmResult.Ok;
    },
    proxy_remove_header_map_value(type: number, keyPtr: number, keySize: number): number {
      const map = mapFor(vm, type);
      if (typeof map === "number") return map;
      const key = vm.mem.readString(keyPtr, keySize);
      if (key === null) return WasmResult.InvalidMemoryAccess;
      map.remove(key);
      return WasmResult.Ok;
    },
  };
}
