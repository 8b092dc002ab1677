// The `env` import object for one VM: every proxy-wasm 0.2.1 hostcall an HTTP
// filter can use. Nothing else is provided, mirroring what Envoy links.
import { bufferImports } from "./buffers.js";
import { headerImports } from "./headers.js";
import { httpCallImports } from "./http-call.js";
import { loggingTimeImports } from "./logging-time.js";
import { metricImports } from "./metrics.js";
import { propertyImports } from "./properties.js";
import { sharedImports } from "./shared.js";
import { streamControlImports } from "./stream-control.js";
import type { VmState } from "./vm-state.js";

export type { CallResponseState, HttpCallRecord, VmState } from "./vm-state.js";

export function envImports(vm: VmState): Record<string, (...args: never[]) => number> {
  return {
    ...loggingTimeImports(vm),
    ...headerImports(vm),
    ...bufferImports(vm),
    ...propertyImports(vm),
    ...sharedImports(vm),
    ...metricImports(vm),
    ...streamControlImports(vm),
    ...httpCallImports(vm),
  };
}
