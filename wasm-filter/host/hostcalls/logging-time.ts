// proxy_log, proxy_get_log_level, the clock and the tick timer.
import { LogLevel, WasmResult } from "../abi.js";
import type { VmState } from "./vm-state.js";

export function loggingTimeImports(vm: VmState) {
  return {
    proxy_log(level: number, ptr: number, size: number): number {
      if (level < LogLevel.Trace || level > LogLevel.Critical) return WasmResult.BadArgument;
      const message = vm.mem.readString(ptr, size);
      if (message === null) return WasmResult.InvalidMemoryAccess;
      if (level >= vm.logLevel) vm.log(level as LogLevel, message);
      return WasmResult.Ok;
    },
    proxy_get_log_level(levelPtr: number): number {
      return vm.mem.writeU32(levelPtr, vm.logLevel) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_get_current_time_nanoseconds(timePtr: number): number {
      return vm.mem.writeU64(timePtr, vm.clock.now()) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_tick_period_milliseconds(periodMs: number): number {
      vm.setTickPeriod(periodMs >>> 0);
      return WasmResult.Ok;
    },
  };
}
