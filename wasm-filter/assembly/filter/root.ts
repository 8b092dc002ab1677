// The plugin's root context: parses the configuration once per VM and creates one HTTP context
// per stream. A configuration it cannot read is refused (Envoy then fails the plugin closed), and
// streams created without a configuration are denied.
import {
  BufferType, getBufferBytes, getCurrentTimeNanoseconds, getHeaderMapView, getProperty, HeaderPair, httpCall, HttpContext, lastStatus, log,
  LogLevel, MapType, RootContext, setTickPeriodMilliseconds, WasmResult,
} from "../abi";
import { FilterConfig, parseConfig } from "./config";
import { ModelGuardHttp } from "./http";
import { Metrics } from "./metrics";
import { Reporter } from "./reporter";

export class ModelGuardRoot extends RootContext {
  config: FilterConfig | null = null;
  metrics: Metrics = new Metrics();
  /** Per-VM counter that makes audit sampling deterministic without a random source. */
  sequence: u64 = 0;
  /** Records for the cluster-wide detector; null when the policy does not report. */
  reporter: Reporter | null = null;
  private source: string = "";
  /** Set while proxy_http_call runs: Envoy may answer the call inside it (see onTick). */
  private sending: bool = false;
  private answeredInline: bool = false;

  onConfigure(size: usize): bool {
    this.metrics.define();
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, size);
    if (bytes === null || size == 0) {
      return this.reject("no plugin configuration");
    }
    const res = parseConfig(Uint8Array.wrap(bytes));
    const cfg = res.config;
    if (cfg === null) return this.reject(res.error);
    this.config = cfg;
    this.reporter = null;
    if (cfg.detector.enabled) {
      this.reporter = new Reporter(cfg.detector.maxRecords);
      const node = getProperty(["node", "id"]);
      // Every worker thread has its own VM and reports on its own: the configure time tells them
      // apart (the detector orders and de-duplicates reports per source).
      const base = node === null || node.byteLength == 0 ? "unknown" : String.UTF8.decode(node);
      this.source = base + "#" + getCurrentTimeNanoseconds().toString(16);
      setTickPeriodMilliseconds(cfg.detector.flushMilliseconds);
    }
    log(LogLevel.Info, "modelguard: configured for policy " + cfg.policy);
    return true;
  }

  /** Sends what the reporter holds; a failed send loses that batch (counted), never a request. */
  onTick(): void {
    const cfg = this.config;
    const reporter = this.reporter;
    if (cfg === null || reporter === null) return;
    const body = reporter.take(cfg.policy, this.source, <i64>(getCurrentTimeNanoseconds() / 1_000_000));
    if (body === null) return;
    const d = cfg.detector;
    const headers: HeaderPair[] = [
      new HeaderPair(":method", "POST"),
      new HeaderPair(":path", d.path),
      new HeaderPair(":authority", d.authority),
      new HeaderPair("content-type", "application/json"),
      new HeaderPair("authorization", "Bearer " + d.token),
    ];
    // A host that completes the call inside proxy_http_call answers through onHttpCallResponse
    // first and may then report the call itself as failed: count such a batch once.
    this.sending = true;
    this.answeredInline = false;
    httpCall(d.cluster, headers, String.UTF8.encode(body), [], d.timeoutMilliseconds);
    this.sending = false;
    if (lastStatus != WasmResult.Ok && !this.answeredInline) Metrics.inc(this.metrics.reportsFailed);
  }

  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
    if (this.sending) this.answeredInline = true;
    const status = getHeaderMapView(MapType.HttpCallResponseHeaders).get(":status");
    if (status !== null && status.length == 3 && status.charCodeAt(0) == 0x32) Metrics.inc(this.metrics.reportsSent);
    else Metrics.inc(this.metrics.reportsFailed);
  }

  private reject(why: string): bool {
    this.config = null;
    Metrics.inc(this.metrics.configRejected);
    log(LogLevel.Critical, "modelguard: configuration rejected, failing closed: " + why);
    return false;
  }

  createHttpContext(contextId: u32): HttpContext | null {
    return new ModelGuardHttp(contextId, this);
  }
}
