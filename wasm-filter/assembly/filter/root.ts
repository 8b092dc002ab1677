// The plugin's root context: parses the configuration once per VM and creates one HTTP context
// per stream. A configuration it cannot read is refused (Envoy then fails the plugin closed), and
// streams created without a configuration are denied.
import { BufferType, getBufferBytes, HttpContext, log, LogLevel, RootContext } from "../abi";
import { FilterConfig, parseConfig } from "./config";
import { ModelGuardHttp } from "./http";
import { Metrics } from "./metrics";

export class ModelGuardRoot extends RootContext {
  config: FilterConfig | null = null;
  metrics: Metrics = new Metrics();
  /** Per-VM counter that makes audit sampling deterministic without a random source. */
  sequence: u64 = 0;

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
    log(LogLevel.Info, "modelguard: configured for policy " + cfg.policy);
    return true;
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
