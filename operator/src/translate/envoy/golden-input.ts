// Test helper (not shipped logic): reads a translate-envoy golden input.
import { parseManifests } from "../../cli/manifests.js";
import { sortInputs } from "../../cli/inputs.js";
import { parseHostPort } from "./clusters.js";
import type { EnvoyTargetOptions } from "./bootstrap.js";
import type { TranslateEnvoyInput } from "./translate-envoy.js";

/** The options every golden case renders with, unless its `EnvoyTargetOptions` document says otherwise. */
export const GOLDEN_OPTIONS: EnvoyTargetOptions = {
  listenerPort: 10000,
  upstream: { host: "127.0.0.1", port: 8000 },
  wasmFile: "/etc/envoy/modelguard.wasm",
  admin: { address: "127.0.0.1", port: 9901 },
};

const hostPort = (v: unknown, what: string) => {
  const hp = typeof v === "string" ? parseHostPort(v) : undefined;
  if (!hp) throw new Error(`EnvoyTargetOptions.${what} must be host:port`);
  return hp;
};

/**
 * A golden input: the policy, its Secrets, and optionally one document
 * `{kind: EnvoyTargetOptions, upstream: host:port, rateLimitService: host:port, listenerPort: N}`.
 */
export function envoyInputFrom(text: string, source: string, wasmFile?: string): TranslateEnvoyInput {
  const inputs = sortInputs(parseManifests(text, source));
  const [policy] = inputs.policies;
  if (!policy) throw new Error(`${source}: needs one ModelEndpointPolicy`);
  const options: EnvoyTargetOptions = { ...GOLDEN_OPTIONS, ...(wasmFile !== undefined ? { wasmFile } : {}) };
  const extra = inputs.ignored.find((m) => m.object.kind === "EnvoyTargetOptions")?.object;
  if (extra) {
    if (extra.upstream !== undefined) options.upstream = hostPort(extra.upstream, "upstream");
    if (extra.rateLimitService !== undefined) options.rateLimitService = hostPort(extra.rateLimitService, "rateLimitService");
    if (typeof extra.listenerPort === "number") options.listenerPort = extra.listenerPort;
  }
  return { policy: policy.object, secrets: inputs.secrets, deployments: inputs.deployments, options };
}
