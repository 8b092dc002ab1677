// Shared data (with CAS) and shared queues, both scoped by VM id.
import { WasmResult } from "../abi.js";
import type { VmState } from "./vm-state.js";

export function sharedImports(vm: VmState) {
  return {
    proxy_get_shared_data(keyPtr: number, keySize: number, ptrPtr: number, sizePtr: number, casPtr: number): number {
      const key = vm.mem.readString(keyPtr, keySize);
      if (key === null) return WasmResult.InvalidMemoryAccess;
      const entry = vm.sharedData.get(vm.vmId, key);
      if (entry === undefined) return WasmResult.NotFound;
      const result = vm.mem.returnBytes(entry.value, ptrPtr, sizePtr);
      if (result !== WasmResult.Ok) return result;
      return vm.mem.writeU32(casPtr, entry.cas) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_shared_data(keyPtr: number, keySize: number, valuePtr: number, valueSize: number, cas: number): number {
      const key = vm.mem.readString(keyPtr, keySize);
      const value = vm.mem.readBytes(valuePtr, valueSize);
      if (key === null || value === null) return WasmResult.InvalidMemoryAccess;
      return vm.sharedData.set(vm.vmId, key, value, cas >>> 0);
    },
    proxy_register_shared_queue(namePtr: number, nameSize: number, tokenPtr: number): number {
      const name = vm.mem.readString(namePtr, nameSize);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const token = vm.sharedQueues.register(vm.vmId, name, vm.queueListener);
      return vm.mem.writeU32(tokenPtr, token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_resolve_shared_queue(vmIdPtr: number, vmIdSize: number, namePtr: number, nameSize: number, tokenPtr: number): number {
      const vmId = vm.mem.readString(vmIdPtr, vmIdSize);
      const name = vm.mem.readString(namePtr, nameSize);
      if (vmId === null || name === null) return WasmResult.InvalidMemoryAccess;
      const token = vm.sharedQueues.resolve(vmId, name);
      if (token === undefined) return WasmResult.NotFound;
      return vm.mem.writeU32(tokenPtr, token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_enqueue_shared_queue(token: number, valuePtr: number, valueSize: number): number {
      const value = vm.mem.readBytes(valuePtr, valueSize);
      if (value === null) return WasmResult.InvalidMemoryAccess;
      return vm.sharedQueues.enqueue(token >>> 0, value);
    },
    proxy_dequeue_shared_queue(token: number, ptrPtr: number, sizePtr: number): number {
      const item = vm.sharedQueues.dequeue(token >>> 0);
      if (typeof item === "number") return item;
      return vm.mem.returnBytes(item, ptrPtr, sizePtr);
    },
  };
}
