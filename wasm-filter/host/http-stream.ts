// Per-stream state the hostcalls read and write: header maps, body buffers,
// what has been forwarded, and whether the filter paused, replied or reset.
import { ByteBuffer } from "./byte-buffer.js";
import type { HeaderPairs } from "./header-map.js";
import { HeaderMap } from "./header-map.js";
import type { PropertyTree } from "./properties.js";

export interface LocalReply {
  readonly status: number;
  readonly details: string;
  readonly body: Uint8Array;
  readonly headers: HeaderPairs;
  /** -1 when the reply is not gRPC. */
  readonly grpcStatus: number;
  /** The callback that sent it. */
  readonly phase: string;
}

export class HttpStream {
  readonly requestHeaders: HeaderMap;
  readonly requestTrailers = new HeaderMap();
  readonly responseHeaders = new HeaderMap();
  readonly responseTrailers = new HeaderMap();
  readonly requestBody = new ByteBuffer();
  readonly responseBody = new ByteBuffer();
  /** Properties of this stream only (claims, set_property); looked up before the VM's. */
  readonly properties: PropertyTree;

  /** The body buffer keeps accumulating (last body callback asked to buffer). */
  bufferingRequest = false;
  bufferingResponse = false;
  /** Set by proxy_continue_stream while the stream waits. */
  requestResumed = false;
  responseResumed = false;
  /** Envoy lets a filter read and change a header map only while its headers callback runs (or
   *  while that side is stopped at headers), and again in proxy_on_log; otherwise BadArgument. */
  requestHeadersOpen = true;
  responseHeadersOpen = false;
  /** Once response headers went downstream a local reply can only reset the stream. */
  responseHeadersSent = false;
  localReply: LocalReply | null = null;
  reset = false;
  /** proxy_on_done returned false and proxy_done has not been called yet. */
  awaitingDone = false;

  constructor(
    readonly id: number,
    requestHeaders: HeaderMap,
    properties: PropertyTree | undefined,
  ) {
    this.requestHeaders = requestHeaders;
    this.properties = properties ?? {};
  }

  /** True once the filter replied locally or reset the stream: no more filter callbacks for the exchange. */
  get stopped(): boolean {
    return this.localReply !== null || this.reset;
  }
}
