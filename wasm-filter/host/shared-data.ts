// Envoy's shared key-value store: one per host, partitioned by VM id, visible
// to every VM instance (worker) with that id. Each write gets a fresh non-zero
// CAS token; a write with a non-zero cas succeeds only if it still matches.
import { WasmResult } from "./abi.js";

export interface SharedEntry {
  readonly value: Uint8Array;
  readonly cas: number;
}

export class SharedDataStore {
  private readonly byVm = new Map<string, Map<string, SharedEntry>>();
  private nextCas = 1;
  /**
   * Called after every successful get, before the guest continues. Tests use it
   * to run another VM between a read and its conditional write, which is how
   * CAS contention between worker threads looks from one VM.
   */
  afterGet: ((vmId: string, key: string) => void) | undefined;

  get(vmId: string, key: string): SharedEntry | undefined {
    const entry = this.byVm.get(vmId)?.get(key);
    if (entry !== undefined) this.afterGet?.(vmId, key);
    return entry;
  }

  set(vmId: string, key: string, value: Uint8Array, cas: number): WasmResult {
    let map = this.byVm.get(vmId);
    if (map === undefined) {
      map = new Map();
      this.byVm.set(vmId, map);
    }
    const current = map.get(key);
    if (current !== undefined && cas !== 0 && cas !== current.cas) return WasmResult.CasMismatch;
    map.set(key, { value: value.slice(), cas: this.takeCas() });
    return WasmResult.Ok;
  }

  /** Test helper: the stored bytes, without triggering afterGet. */
  peek(vmId: string, key: string): Uint8Array | undefined {
    return this.byVm.get(vmId)?.get(key)?.value;
  }

  /** Test helper: the keys stored for a VM id (what a filter has left in Envoy's memory). */
  keys(vmId: string): string[] {
    return [...(this.byVm.get(vmId)?.keys() ?? [])];
  }

  private takeCas(): number {
    const cas = this.nextCas;
    this.nextCas = (this.nextCas + 1) >>> 0 || 1;
    return cas;
  }
}
