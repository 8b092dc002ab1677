// Metric hostcalls over the host-wide MetricsStore.
import { WasmResult } from "../abi.js";
import type { VmState } from "./vm-state.js";

export function metricImports(vm: VmState) {
  return {
    proxy_define_metric(type: number, namePtr: number, nameSize: number, idPtr: number): number {
      const name = vm.mem.readString(namePtr, nameSize);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const id = vm.metrics.define(type, name);
      if (id === undefined) return WasmResult.BadArgument;
      return vm.mem.writeU32(idPtr, id) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_increment_metric(id: number, delta: bigint): number {
      return vm.metrics.increment(id >>> 0, delta);
    },
    proxy_record_metric(id: number, value: bigint): number {
      return vm.metrics.record(id >>> 0, BigInt.asUintN(64, value));
    },
    proxy_get_metric(id: number, valuePtr: number): number {
      const value = vm.metrics.read(id >>> 0);
      if (typeof value === "number") return value;
      return vm.mem.writeU64(valuePtr, value) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
