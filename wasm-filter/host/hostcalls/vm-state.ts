// What the hostcall implementations need from a VM. WasmVm implements it; the
// hostcall modules depend only on this interface.
import type { LogLevel } from "../abi.js";
import type { ByteBuffer } from "../byte-buffer.js";
import type { ManualClock } from "../clock.js";
import type { GuestMemory } from "../guest-memory.js";
import type { HeaderMap, HeaderPairs } from "../header-map.js";
import type { HttpStream } from "../http-stream.js";
import type { MetricsStore } from "../metrics.js";
import type { PropertyTree } from "../properties.js";
import type { SharedDataStore } from "../shared-data.js";
import type { SharedQueueStore } from "../shared-queues.js";

export interface HttpCallRecord {
  readonly token: number;
  readonly upstream: string;
  readonly headers: HeaderPairs;
  readonly body: Uint8Array;
  readonly trailers: HeaderPairs;
  readonly timeoutMs: number;
  /** The stream that was effective when the call was made (the root id if none). */
  readonly contextId: number;
}

/** Data of the HTTP call response being delivered, readable during proxy_on_http_call_response. */
export interface CallResponseState {
  readonly headers: HeaderMap;
  readonly trailers: HeaderMap;
  readonly body: ByteBuffer;
}

export interface VmState {
  readonly mem: GuestMemory;
  readonly vmId: string;
  readonly rootId: number;
  readonly clock: ManualClock;
  readonly sharedData: SharedDataStore;
  readonly sharedQueues: SharedQueueStore;
  readonly metrics: MetricsStore;
  readonly properties: PropertyTree;
  readonly knownUpstreams: ReadonlySet<string> | undefined;
  readonly logLevel: LogLevel;
  readonly effectiveContextId: number;
  readonly currentCallback: string;
  /** The stream whose maps and buffers hostcalls address now; undefined on the root context. */
  readonly effectiveStream: HttpStream | undefined;
  /** Set only while proxy_on_vm_start / proxy_on_configure run. */
  readonly vmConfiguration: ByteBuffer | undefined;
  readonly pluginConfiguration: ByteBuffer | undefined;
  readonly callResponse: CallResponseState | undefined;

  log(level: LogLevel, message: string): void;
  setEffectiveContext(contextId: number): boolean;
  setTickPeriod(periodMs: number): void;
  recordHttpCall(call: Omit<HttpCallRecord, "token" | "contextId">): number;
  /** Completes the call now, calling back into the guest, if the VM is set to; true if it did. */
  answerInline(token: number): boolean;
  /** Runs `action` once the current top-level callback has returned, as Envoy's deferred actions do. */
  afterCallback(action: () => void): void;
  /** proxy_done: finish a stream whose onDone returned false. */
  markDone(): boolean;
  /** Delivers proxy_on_queue_ready to this VM's root context after the current callback. */
  readonly queueListener: (token: number) => void;
}
