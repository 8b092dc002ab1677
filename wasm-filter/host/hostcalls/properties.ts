// proxy_get_property / proxy_set_property over the stream's and the VM's trees.
import { WasmResult } from "../abi.js";
import { lookupProperty, storeProperty } from "../properties.js";
import type { VmState } from "./vm-state.js";

export function propertyImports(vm: VmState) {
  return {
    proxy_get_property(pathPtr: number, pathSize: number, ptrPtr: number, sizePtr: number): number {
      const path = vm.mem.readString(pathPtr, pathSize);
      if (path === null) return WasmResult.InvalidMemoryAccess;
      const found = lookupProperty([vm.effectiveStream?.properties, vm.properties], path);
      if (typeof found === "number") return found;
      return vm.mem.returnBytes(found, ptrPtr, sizePtr);
    },
    proxy_set_property(pathPtr: number, pathSize: number, valuePtr: number, valueSize: number): number {
      const path = vm.mem.readString(pathPtr, pathSize);
      const value = vm.mem.readBytes(valuePtr, valueSize);
      if (path === null || value === null) return WasmResult.InvalidMemoryAccess;
      return storeProperty(vm.effectiveStream?.properties ?? vm.properties, path, value);
    },
  };
}
