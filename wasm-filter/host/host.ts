// A proxy-wasm host for one compiled module: Envoy with N worker threads, each
// running its own VM instance, sharing one stats store, one shared-data store,
// shared queues and one clock. Tests control the clock; timers fire in order.
import { readFileSync } from "node:fs";
import { ManualClock } from "./clock.js";
import type { ExchangeOptions, ExchangeRequest, ExchangeResult, Upstream } from "./exchange.js";
import { runExchange } from "./exchange.js";
import { MetricsStore } from "./metrics.js";
import { SharedDataStore } from "./shared-data.js";
import { SharedQueueStore } from "./shared-queues.js";
import type { HostServices, VmOptions } from "./vm.js";
import { WasmVm } from "./vm.js";

export interface HostOptions {
  /** Start of the clock, nanoseconds since the Unix epoch. */
  startTimeNs?: bigint;
  /** Histogram samples kept per metric. */
  maxHistogramSamples?: number;
}

export class ProxyWasmHost implements HostServices {
  readonly module: WebAssembly.Module;
  readonly clock: ManualClock;
  readonly sharedData = new SharedDataStore();
  readonly sharedQueues = new SharedQueueStore();
  readonly metrics: MetricsStore;
  readonly vms: WasmVm[] = [];

  constructor(wasm: Uint8Array | WebAssembly.Module, options: HostOptions = {}) {
    this.module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm);
    this.clock = new ManualClock(options.startTimeNs);
    this.metrics = new MetricsStore(options.maxHistogramSamples);
  }

  static fromFile(path: string, options?: HostOptions): ProxyWasmHost {
    return new ProxyWasmHost(readFileSync(path), options);
  }

  /** Instantiates the module (one "worker"), runs _initialize, creates the root context and calls proxy_on_vm_start. */
  createVm(options?: VmOptions): WasmVm {
    const vm = new WasmVm(this.module, this, options);
    this.vms.push(vm);
    return vm;
  }

  /** createVm + configure; throws if the plugin rejects the configuration. */
  createConfiguredVm(config: string | Uint8Array, options?: VmOptions): WasmVm {
    const vm = this.createVm(options);
    if (!vm.configure(config)) throw new Error("proxy_on_configure returned false");
    return vm;
  }

  /** Moves the clock forward, firing every tick that falls due on every VM, in time order. */
  advanceTime(ms: number): void {
    const target = this.clock.now() + BigInt(Math.round(ms * 1e6)); // ms may be fractional
    for (;;) {
      let next: WasmVm | undefined;
      for (const vm of this.vms) {
        if (vm.tickPeriodMs === 0 || vm.isFailed || vm.nextTickNs > target) continue;
        if (next === undefined || vm.nextTickNs < next.nextTickNs) next = vm;
      }
      if (next === undefined) break;
      this.clock.set(next.nextTickNs);
      next.tick();
    }
    this.clock.set(target);
  }

  /** One HTTP exchange through `vm` (see exchange.ts). */
  exchange(vm: WasmVm, request: ExchangeRequest, upstream: Upstream, options?: ExchangeOptions): ExchangeResult {
    return runExchange(vm, request, upstream, options);
  }
}
