// One instance of the module: Envoy's per-worker VM. Owns the guest's memory,
// its contexts and streams, and every call into the guest. A trap marks the VM
// failed and surfaces as GuestTrapError.
import { LogLevel } from "./abi.js";
import { ByteBuffer } from "./byte-buffer.js";
import type { ManualClock } from "./clock.js";
import { NS_PER_MS } from "./clock.js";
import type { BytesInput } from "./codec.js";
import { toBytes } from "./codec.js";
import { GuestTrapError, VmFailedError, VmStartError } from "./errors.js";
import type { GuestExports } from "./guest-exports.js";
import { assertImportsProvided, readGuestExports } from "./guest-exports.js";
import { GuestMemory } from "./guest-memory.js";
import type { HeadersInput } from "./header-map.js";
import { HeaderMap } from "./header-map.js";
import type { CallResponseState, HttpCallRecord, VmState } from "./hostcalls/index.js";
import { envImports } from "./hostcalls/index.js";
import { HttpStream } from "./http-stream.js";
import type { MetricsStore } from "./metrics.js";
import type { PropertyTree } from "./properties.js";
import type { SharedDataStore } from "./shared-data.js";
import type { SharedQueueStore } from "./shared-queues.js";

/** Stores that every VM of one host shares, as Envoy's workers share them. */
export interface HostServices {
  readonly clock: ManualClock;
  readonly sharedData: SharedDataStore;
  readonly sharedQueues: SharedQueueStore;
  readonly metrics: MetricsStore;
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  readonly contextId: number;
}

export interface VmOptions {
  /** Shared data and queues are partitioned by this id (Envoy's vm_id). */
  vmId?: string;
  vmConfig?: BytesInput;
  /** VM-wide properties (plugin_name, node, ...); each stream can add its own on top. */
  properties?: PropertyTree;
  /** Messages below this level are dropped by the host, as Envoy does. */
  logLevel?: LogLevel;
  /** If set, http_call to other upstream names fails with BadArgument (an unknown cluster in Envoy). */
  knownUpstreams?: Iterable<string>;
  /**
   * A host may complete a proxy_http_call inside the call itself, calling
   * proxy_on_http_call_response from within proxy_http_call and then returning InternalFailure
   * (Envoy's async client can finish a request before send() returns; Envoy 1.40 did not for a
   * cluster without endpoints). When set, every call is answered that way with the response this
   * returns, to test guests against such hosts.
   */
  answerHttpCallsInline?: (call: HttpCallRecord) => HttpCallResponse | null;
  /** Receives every log line; when given, lines are not kept in `logs`. */
  onLog?: (entry: LogEntry) => void;
}

export interface HttpCallResponse {
  headers: HeadersInput;
  body?: BytesInput;
  trailers?: HeadersInput;
}

const ROOT_ID = 1;

export class WasmVm implements VmState {
  readonly mem: GuestMemory;
  readonly vmId: string;
  readonly rootId = ROOT_ID;
  readonly properties: PropertyTree;
  readonly knownUpstreams: ReadonlySet<string> | undefined;
  readonly logLevel: LogLevel;
  readonly logs: LogEntry[] = [];
  readonly queueListener = (token: number): void => this.afterCallback(() => this.deliverQueueReady(token));

  effectiveContextId = ROOT_ID;
  /** The guest callback running now (the outermost one), e.g. for LocalReply.phase. */
  currentCallback = "";
  effectiveStream: HttpStream | undefined;
  vmConfiguration: ByteBuffer | undefined;
  pluginConfiguration: ByteBuffer | undefined;
  callResponse: CallResponseState | undefined;
  tickPeriodMs = 0;
  /** When the next proxy_on_tick is due, in clock nanoseconds. */
  nextTickNs = 0n;

  private readonly exports: GuestExports;
  private readonly streams = new Map<number, HttpStream>();
  private readonly httpCalls = new Map<number, HttpCallRecord>();
  private readonly deferred: (() => void)[] = [];
  private readonly onLog: ((entry: LogEntry) => void) | undefined;
  private nextContextId = ROOT_ID + 1;
  private nextCallToken = 1;
  private depth = 0;
  private failed = false;
  private readonly answerHttpCallsInline: VmOptions["answerHttpCallsInline"];
  private abortMessage: string | undefined;

  constructor(module: WebAssembly.Module, private readonly services: HostServices, options: VmOptions = {}) {
    this.vmId = options.vmId ?? "";
    this.properties = options.properties ?? {};
    this.knownUpstreams = options.knownUpstreams ? new Set(options.knownUpstreams) : undefined;
    this.logLevel = options.logLevel ?? LogLevel.Trace;
    this.onLog = options.onLog;
    this.answerHttpCallsInline = options.answerHttpCallsInline;
    const imports = { env: envImports(this) };
    assertImportsProvided(module, imports);
    const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
    this.exports = readGuestExports(instance);
    const allocate = this.exports.allocate;
    this.mem = new GuestMemory(this.exports.memory, (size) => allocate(size));
    this.start(options.vmConfig === undefined ? new Uint8Array(0) : toBytes(options.vmConfig));
  }

  get clock(): ManualClock { return this.services.clock; }
  get sharedData(): SharedDataStore { return this.services.sharedData; }
  get sharedQueues(): SharedQueueStore { return this.services.sharedQueues; }
  get metrics(): MetricsStore { return this.services.metrics; }

  /** Linear memory size in 64 KiB pages. */
  get memoryPages(): number {
    return this.mem.pages;
  }

  get isFailed(): boolean {
    return this.failed;
  }

  /** _initialize, the root context, then proxy_on_vm_start: what Envoy does when it loads a VM. */
  private start(vmConfig: Uint8Array): void {
    const { initialize, contextCreate, vmStart } = this.exports;
    if (initialize) this.call("_initialize", 0, () => initialize());
    if (contextCreate) this.call("proxy_on_context_create", ROOT_ID, () => contextCreate(ROOT_ID, 0));
    if (!vmStart) return;
    this.vmConfiguration = new ByteBuffer(vmConfig);
    try {
      if (!this.call("proxy_on_vm_start", ROOT_ID, () => vmStart(ROOT_ID, vmConfig.byteLength))) throw new VmStartError();
    } finally {
      this.vmConfiguration = undefined;
    }
  }

  /** proxy_on_configure with this plugin configuration; false means the plugin rejected it. */
  configure(config: BytesInput): boolean {
    const bytes = toBytes(config);
    const configure = this.exports.configure;
    if (!configure) return true;
    this.pluginConfiguration = new ByteBuffer(bytes);
    try {
      return this.call("proxy_on_configure", ROOT_ID, () => configure(ROOT_ID, bytes.byteLength)) !== 0;
    } finally {
      this.pluginConfiguration = undefined;
    }
  }

  // ---- streams (driven by exchange.ts) --------------------------------------------

  openStream(headers: HeadersInput | HeaderMap, properties?: PropertyTree): HttpStream {
    const id = this.nextContextId++;
    const stream = new HttpStream(id, headers instanceof HeaderMap ? headers : HeaderMap.from(headers), properties);
    this.streams.set(id, stream);
    const contextCreate = this.exports.contextCreate;
    if (contextCreate) this.callStream(stream, "proxy_on_context_create", () => contextCreate(id, ROOT_ID));
    return stream;
  }

  /** Runs one stream callback with the stream effective; returns what the guest returned. */
  callStream(stream: HttpStream, callback: string, fn: () => number | void): number {
    this.effectiveContextId = stream.id;
    this.effectiveStream = stream;
    return this.call(callback, stream.id, fn);
  }

  /** proxy_on_done, then (when the guest agrees) proxy_on_log and proxy_on_delete. */
  closeStream(stream: HttpStream): void {
    const done = this.exports.done;
    const finished = done ? this.callStream(stream, "proxy_on_done", () => done(stream.id)) !== 0 : true;
    if (finished) this.finishStream(stream);
    else stream.awaitingDone = true;
  }

  private finishStream(stream: HttpStream): void {
    stream.awaitingDone = false;
    const { log, delete: del } = this.exports;
    // Envoy hands the access-log view of both header maps to proxy_on_log.
    stream.requestHeadersOpen = true;
    stream.responseHeadersOpen = true;
    if (log) this.callStream(stream, "proxy_on_log", () => log(stream.id));
    if (del) this.callStream(stream, "proxy_on_delete", () => del(stream.id));
    this.streams.delete(stream.id);
  }

  get guest(): GuestExports {
    return this.exports;
  }

  /** Streams still held by the host (lingering after onDone returned false, or mid-exchange). */
  get openStreams(): number {
    return this.streams.size;
  }

  // ---- timers and callouts --------------------------------------------------------

  setTickPeriod(periodMs: number): void {
    this.tickPeriodMs = periodMs;
    this.nextTickNs = periodMs === 0 ? 0n : this.clock.now() + BigInt(periodMs) * NS_PER_MS;
  }

  /** Fires proxy_on_tick once on the root context (the host's clock schedules it; see ProxyWasmHost.advanceTime). */
  tick(): void {
    const tick = this.exports.tick;
    if (this.tickPeriodMs > 0) this.nextTickNs += BigInt(this.tickPeriodMs) * NS_PER_MS;
    if (tick) this.callRoot("proxy_on_tick", () => tick(ROOT_ID));
  }

  recordHttpCall(call: Omit<HttpCallRecord, "token" | "contextId">): number {
    const token = this.nextCallToken++;
    this.httpCalls.set(token, { ...call, token, contextId: this.effectiveContextId });
    return token;
  }

  answerInline(token: number): boolean {
    const answer = this.answerHttpCallsInline;
    const call = this.httpCalls.get(token);
    if (answer === undefined || call === undefined) return false;
    this.respondToHttpCall(token, answer(call));
    return true;
  }

  /** Calls the guest made and nobody answered yet, oldest first. */
  get pendingHttpCalls(): HttpCallRecord[] {
    return [...this.httpCalls.values()];
  }

  /** Delivers the response to an HTTP call; null reports a failed call (no headers), as on a timeout. */
  respondToHttpCall(token: number, response: HttpCallResponse | null): void {
    const call = this.httpCalls.get(token);
    if (call === undefined) throw new RangeError(`no pending http call with token ${token}`);
    this.httpCalls.delete(token);
    const headers = HeaderMap.from(response?.headers);
    const trailers = HeaderMap.from(response?.trailers);
    const body = new ByteBuffer(response?.body === undefined ? undefined : toBytes(response.body));
    const onResponse = this.exports.httpCallResponse;
    if (!onResponse) return;
    this.callResponse = { headers, trailers, body };
    try {
      this.callRoot("proxy_on_http_call_response", () => onResponse(ROOT_ID, token, headers.size, body.length, trailers.size));
    } finally {
      this.callResponse = undefined;
    }
  }

  // ---- VmState hooks used by hostcalls --------------------------------------------

  log(level: LogLevel, message: string): void {
    if (level === LogLevel.Critical && message.startsWith("abort: ")) this.abortMessage = message.slice(7);
    const entry = { level, message, contextId: this.effectiveContextId };
    if (this.onLog) this.onLog(entry);
    else this.logs.push(entry);
  }

  setEffectiveContext(contextId: number): boolean {
    if (contextId === ROOT_ID) {
      this.effectiveContextId = ROOT_ID;
      this.effectiveStream = undefined;
      return true;
    }
    const stream = this.streams.get(contextId);
    if (stream === undefined) return false;
    this.effectiveContextId = contextId;
    this.effectiveStream = stream;
    return true;
  }

  markDone(): boolean {
    const stream = this.effectiveStream;
    if (stream === undefined || !stream.awaitingDone) return false;
    this.afterCallback(() => this.finishStream(stream));
    return true;
  }

  afterCallback(action: () => void): void {
    this.deferred.push(action);
  }

  private deliverQueueReady(token: number): void {
    const queueReady = this.exports.queueReady;
    if (queueReady) this.callRoot("proxy_on_queue_ready", () => queueReady(ROOT_ID, token));
  }

  // ---- calling the guest ----------------------------------------------------------

  private callRoot(callback: string, fn: () => number | void): number {
    this.effectiveContextId = ROOT_ID;
    this.effectiveStream = undefined;
    return this.call(callback, ROOT_ID, fn);
  }

  private call(callback: string, contextId: number, fn: () => number | void): number {
    if (this.failed) throw new VmFailedError(callback);
    if (this.depth === 0) this.currentCallback = callback;
    this.depth++;
    let result: number | void;
    try {
      result = fn();
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) {
        this.failed = true;
        throw new GuestTrapError(callback, contextId, this.abortMessage, { cause: err });
      }
      throw err;
    } finally {
      this.depth--;
    }
    if (this.depth === 0 && this.deferred.length > 0) this.runDeferred();
    return typeof result === "number" ? result : 0;
  }

  private runDeferred(): void {
    const { effectiveContextId, effectiveStream } = this;
    while (this.deferred.length > 0) (this.deferred.shift() as () => void)();
    this.effectiveContextId = effectiveContextId;
    this.effectiveStream = effectiveStream;
  }
}
