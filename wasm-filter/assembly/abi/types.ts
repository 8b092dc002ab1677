// ABI numbers of proxy-wasm 0.2.1, written once. Values follow the spec
// (proxy-wasm/spec abi-versions/v0.2.1) and Envoy's filter status enums.

/** proxy_status_t: what every hostcall returns. */
export enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  InternalFailure = 10,
  Unimplemented = 12,
}

/** proxy_log_level_t */
export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

/** Returned from proxy_on_request_headers / proxy_on_response_headers (Envoy FilterHeadersStatus). */
export enum FilterHeadersStatus {
  Continue = 0,
  /** Under ABI 0.2.x Envoy turns this into StopAllIterationAndWatermark: body callbacks wait for continue_stream. */
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** Returned from proxy_on_request_body / proxy_on_response_body (Envoy FilterDataStatus). */
export enum FilterDataStatus {
  Continue = 0,
  /** Keep the chunk; the next callback sees the whole buffered body. */
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
}

/** Returned from proxy_on_request_trailers / proxy_on_response_trailers. */
export enum FilterTrailersStatus {
  Continue = 0,
  StopIteration = 1,
}

/** proxy_buffer_type_t */
export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
}

/** proxy_map_type_t */
export enum MapType {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

/** proxy_peer_type_t */
export enum PeerType {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

/** proxy_stream_type_t */
export enum StreamType {
  HttpRequest = 0,
  HttpResponse = 1,
  Downstream = 2,
  Upstream = 3,
}

/** proxy_metric_type_t */
export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** send_local_response's grpc_status when the reply is not gRPC. */
export const GRPC_STATUS_NONE: i32 = -1;
