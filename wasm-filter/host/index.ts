// Public surface of the Node proxy-wasm host.
export { ProxyWasmHost } from "./host.js";
export type { HostOptions } from "./host.js";
export { WasmVm } from "./vm.js";
export type { HostServices, HttpCallResponse, LogEntry, VmOptions } from "./vm.js";
export { runExchange } from "./exchange.js";
export type {
  BodyInput, ClientResponse, ExchangeOptions, ExchangeRequest, ExchangeResult, ForwardedRequest, Upstream, UpstreamResponse,
} from "./exchange.js";
export type { HttpCallRecord } from "./hostcalls/index.js";
export type { LocalReply } from "./http-stream.js";
export { HeaderMap } from "./header-map.js";
export type { HeaderPairs, HeadersInput } from "./header-map.js";
export { jwtPayloadProperties } from "./properties.js";
export type { PropertyTree, PropertyValue } from "./properties.js";
export { GuestTrapError, UnsupportedImportError, VmFailedError, VmStartError } from "./errors.js";
export { LogLevel, MetricType, WasmResult } from "./abi.js";
export { ManualClock, NS_PER_MS } from "./clock.js";
