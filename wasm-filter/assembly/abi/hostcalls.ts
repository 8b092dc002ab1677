// Typed wrappers over imports.ts: status codes become results, pointers stay
// here. Every wrapper records the host's status in `lastStatus`; getters return
// null (or 0) when the host answered anything but Ok, so request paths can
// branch instead of throwing.
import * as abi from "./imports";
import { BufferType, GRPC_STATUS_NONE, LogLevel, MapType, MetricType, StreamType, WasmResult } from "./types";
import { HeaderPair, PairsView, deserializePairs, serializePairs } from "./pairs";
import { RETURN_PTR, RETURN_SIZE, RETURN_U32, RETURN_U64, ptrOf, resetReturnSlots, takeReturnedBlock, utf8 } from "./memory";

/** Status of the most recent hostcall made through this module. */
export let lastStatus: WasmResult = WasmResult.Ok;

function status(code: u32): WasmResult {
  lastStatus = <WasmResult>(<i32>code);
  return lastStatus;
}

// ---- logging, time, timers, context -------------------------------------------------

export function log(level: LogLevel, message: string): WasmResult {
  const bytes = utf8(message);
  return status(abi.proxy_log(<u32>level, ptrOf(bytes), <usize>bytes.byteLength));
}

export function getLogLevel(): LogLevel {
  store<u32>(RETURN_U32, <u32>LogLevel.Trace);
  status(abi.proxy_get_log_level(RETURN_U32));
  return <LogLevel>(<i32>load<u32>(RETURN_U32));
}

/** Nanoseconds since the Unix epoch, as the host sees it; 0 if unavailable. */
export function getCurrentTimeNanoseconds(): u64 {
  store<u64>(RETURN_U64, 0);
  if (status(abi.proxy_get_current_time_nanoseconds(RETURN_U64)) != WasmResult.Ok) return 0;
  return load<u64>(RETURN_U64);
}

export function setTickPeriodMilliseconds(periodMs: u32): WasmResult {
  return status(abi.proxy_set_tick_period_milliseconds(periodMs));
}

/** Tells the host a context that answered false from onDone has finished. */
export function done(): WasmResult {
  return status(abi.proxy_done());
}

export function setEffectiveContext(contextId: u32): WasmResult {
  return status(abi.proxy_set_effective_context(contextId));
}

// ---- properties ---------------------------------------------------------------------

/** Joins path segments with NUL, the form proxy_get_property expects. Encode once, reuse per request. */
export function serializePropertyPath(segments: string[]): ArrayBuffer {
  const parts = new Array<ArrayBuffer>(segments.length);
  let size = 0;
  for (let i = 0; i < segments.length; i++) {
    const part = utf8(unchecked(segments[i]));
    unchecked((parts[i] = part));
    size += part.byteLength + (i > 0 ? 1 : 0);
  }
  const out = new ArrayBuffer(size);
  let at = changetype<usize>(out);
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) store<u8>(at++, 0);
    const part = unchecked(parts[i]);
    memory.copy(at, changetype<usize>(part), <usize>part.byteLength);
    at += <usize>part.byteLength;
  }
  return out;
}

/** Raw property bytes, or null (NotFound means the property is absent). */
export function getPropertyBytes(serializedPath: ArrayBuffer): ArrayBuffer | null {
  resetReturnSlots();
  const code = abi.proxy_get_property(ptrOf(serializedPath), <usize>serializedPath.byteLength, RETURN_PTR, RETURN_SIZE);
  if (status(code) != WasmResult.Ok) return null;
  return takeReturnedBlock();
}

export function getProperty(path: string[]): ArrayBuffer | null {
  return getPropertyBytes(serializePropertyPath(path));
}

export function setProperty(path: string[], value: ArrayBuffer): WasmResult {
  const serialized = serializePropertyPath(path);
  return status(abi.proxy_set_property(ptrOf(serialized), <usize>serialized.byteLength, ptrOf(value), <usize>value.byteLength));
}

// ---- buffers ------------------------------------------------------------------------

/** Up to maxSize bytes from `start` of a buffer; null when the buffer is not available now. */
export function getBufferBytes(type: BufferType, start: usize, maxSize: usize): ArrayBuffer | null {
  resetReturnSlots();
  if (status(abi.proxy_get_buffer_bytes(<u32>type, start, maxSize, RETURN_PTR, RETURN_SIZE)) != WasmResult.Ok) return null;
  return takeReturnedBlock();
}

/** Replaces `size` bytes at `start` with `value` (start=0,size=current length replaces all). */
export function setBufferBytes(type: BufferType, start: usize, size: usize, value: ArrayBuffer): WasmResult {
  return status(abi.proxy_set_buffer_bytes(<u32>type, start, size, ptrOf(value), <usize>value.byteLength));
}

/** Current size of a buffer, 0 when unavailable (see lastStatus). */
export function getBufferSize(type: BufferType): usize {
  store<usize>(RETURN_SIZE, 0);
  if (status(abi.proxy_get_buffer_status(<u32>type, RETURN_SIZE, RETURN_U32)) != WasmResult.Ok) return 0;
  return load<usize>(RETURN_SIZE);
}

// ---- header maps --------------------------------------------------------------------

export function getHeaderMapPairs(map: MapType): HeaderPair[] {
  resetReturnSlots();
  if (status(abi.proxy_get_header_map_pairs(<u32>map, RETURN_PTR, RETURN_SIZE)) != WasmResult.Ok) return new Array<HeaderPair>();
  return deserializePairs(takeReturnedBlock());
}

/** The whole map in one hostcall, for several lookups (see PairsView). Empty when unavailable. */
export function getHeaderMapView(map: MapType): PairsView {
  resetReturnSlots();
  if (status(abi.proxy_get_header_map_pairs(<u32>map, RETURN_PTR, RETURN_SIZE)) != WasmResult.Ok) return new PairsView(new ArrayBuffer(0));
  return new PairsView(takeReturnedBlock());
}

export function setHeaderMapPairs(map: MapType, pairs: HeaderPair[]): WasmResult {
  const serialized = serializePairs(pairs);
  return status(abi.proxy_set_header_map_pairs(<u32>map, ptrOf(serialized), <usize>serialized.byteLength));
}

export function getHeaderMapSize(map: MapType): usize {
  store<usize>(RETURN_SIZE, 0);
  if (status(abi.proxy_get_header_map_size(<u32>map, RETURN_SIZE)) != WasmResult.Ok) return 0;
  return load<usize>(RETURN_SIZE);
}

/** First value of a header as raw bytes (the host returns only the first of repeated headers). */
export function getHeaderMapValueBytes(map: MapType, key: string): ArrayBuffer | null {
  const k = utf8(key);
  resetReturnSlots();
  const code = abi.proxy_get_header_map_value(<u32>map, ptrOf(k), <usize>k.byteLength, RETURN_PTR, RETURN_SIZE);
  if (status(code) != WasmResult.Ok) return null;
  return takeReturnedBlock();
}

export function getHeaderMapValue(map: MapType, key: string): string | null {
  const bytes = getHeaderMapValueBytes(map, key);
  if (bytes === null) return null;
  return String.UTF8.decode(bytes);
}

export function addHeaderMapValue(map: MapType, key: string, value: string): WasmResult {
  const k = utf8(key);
  const v = utf8(value);
  return status(abi.proxy_add_header_map_value(<u32>map, ptrOf(k), <usize>k.byteLength, ptrOf(v), <usize>v.byteLength));
}

export function replaceHeaderMapValue(map: MapType, key: string, value: string): WasmResult {
  const k = utf8(key);
  const v = utf8(value);
  return status(abi.proxy_replace_header_map_value(<u32>map, ptrOf(k), <usize>k.byteLength, ptrOf(v), <usize>v.byteLength));
}

export function removeHeaderMapValue(map: MapType, key: string): WasmResult {
  const k = utf8(key);
  return status(abi.proxy_remove_header_map_value(<u32>map, ptrOf(k), <usize>k.byteLength));
}

// ---- stream control -----------------------------------------------------------------

export function continueStream(type: StreamType): WasmResult {
  return status(abi.proxy_continue_stream(<u32>type));
}

export function closeStream(type: StreamType): WasmResult {
  return status(abi.proxy_close_stream(<u32>type));
}

/** Answers the stream locally; the host stops forwarding it. */
export function sendLocalResponse(
  statusCode: u32,
  details: string,
  body: ArrayBuffer,
  headers: HeaderPair[],
  grpcStatus: i32 = GRPC_STATUS_NONE,
): WasmResult {
  const d = utf8(details);
  const h = serializePairs(headers);
  return status(abi.proxy_send_local_response(
    statusCode,
    ptrOf(d), <usize>d.byteLength,
    ptrOf(body), <usize>body.byteLength,
    ptrOf(h), <usize>h.byteLength,
    grpcStatus,
  ));
}

// ---- HTTP callouts ------------------------------------------------------------------

/** Dispatches an HTTP call; returns its token (0 on failure, see lastStatus). */
export function httpCall(upstream: string, headers: HeaderPair[], body: ArrayBuffer, trailers: HeaderPair[], timeoutMs: u32): u32 {
  const u = utf8(upstream);
  const h = serializePairs(headers);
  const t = serializePairs(trailers);
  store<u32>(RETURN_U32, 0);
  const code = abi.proxy_http_call(
    ptrOf(u), <usize>u.byteLength,
    ptrOf(h), <usize>h.byteLength,
    ptrOf(body), <usize>body.byteLength,
    ptrOf(t), <usize>t.byteLength,
    timeoutMs, RETURN_U32,
  );
  if (status(code) != WasmResult.Ok) return 0;
  return load<u32>(RETURN_U32);
}

// ---- shared data --------------------------------------------------------------------

export class SharedDataValue {
  constructor(public value: ArrayBuffer, public cas: u32) {}
}

/** The value and its CAS token, or null when the key is absent. */
export function getSharedData(key: string): SharedDataValue | null {
  const k = utf8(key);
  resetReturnSlots();
  store<u32>(RETURN_U32, 0);
  const code = abi.proxy_get_shared_data(ptrOf(k), <usize>k.byteLength, RETURN_PTR, RETURN_SIZE, RETURN_U32);
  if (status(code) != WasmResult.Ok) return null;
  const cas = load<u32>(RETURN_U32);
  return new SharedDataValue(takeReturnedBlock(), cas);
}

/** Sets a value; a non-zero cas makes it conditional (CasMismatch when someone wrote since). */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32 = 0): WasmResult {
  const k = utf8(key);
  return status(abi.proxy_set_shared_data(ptrOf(k), <usize>k.byteLength, ptrOf(value), <usize>value.byteLength, cas));
}

// ---- shared queues ------------------------------------------------------------------

export function registerSharedQueue(name: string): u32 {
  const n = utf8(name);
  store<u32>(RETURN_U32, 0);
  if (status(abi.proxy_register_shared_queue(ptrOf(n), <usize>n.byteLength, RETURN_U32)) != WasmResult.Ok) return 0;
  return load<u32>(RETURN_U32);
}

export function resolveSharedQueue(vmId: string, name: string): u32 {
  const v = utf8(vmId);
  const n = utf8(name);
  store<u32>(RETURN_U32, 0);
  const code = abi.proxy_resolve_shared_queue(ptrOf(v), <usize>v.byteLength, ptrOf(n), <usize>n.byteLength, RETURN_U32);
  if (status(code) != WasmResult.Ok) return 0;
  return load<u32>(RETURN_U32);
}

export function enqueueSharedQueue(queueId: u32, value: ArrayBuffer): WasmResult {
  return status(abi.proxy_enqueue_shared_queue(queueId, ptrOf(value), <usize>value.byteLength));
}

/** Next item, or null when empty (lastStatus Empty) or unknown. */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  resetReturnSlots();
  if (status(abi.proxy_dequeue_shared_queue(queueId, RETURN_PTR, RETURN_SIZE)) != WasmResult.Ok) return null;
  return takeReturnedBlock();
}

// ---- metrics ------------------------------------------------------------------------

/** Returned by defineMetric on failure: Envoy hands out 0 as a real id, so 0 cannot be the sentinel. */
export const METRIC_UNDEFINED: u32 = u32.MAX_VALUE;

/** Defines (or finds) a metric; returns its id, METRIC_UNDEFINED on failure (see lastStatus). */
export function defineMetric(type: MetricType, name: string): u32 {
  const n = utf8(name);
  store<u32>(RETURN_U32, 0);
  if (status(abi.proxy_define_metric(<u32>type, ptrOf(n), <usize>n.byteLength, RETURN_U32)) != WasmResult.Ok) return METRIC_UNDEFINED;
  return load<u32>(RETURN_U32);
}

export function incrementMetric(metricId: u32, delta: i64): WasmResult {
  return status(abi.proxy_increment_metric(metricId, delta));
}

export function recordMetric(metricId: u32, value: u64): WasmResult {
  return status(abi.proxy_record_metric(metricId, value));
}

export function getMetric(metricId: u32): u64 {
  store<u64>(RETURN_U64, 0);
  if (status(abi.proxy_get_metric(metricId, RETURN_U64)) != WasmResult.Ok) return 0;
  return load<u64>(RETURN_U64);
}
