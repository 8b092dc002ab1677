import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";

/** An Envoy bootstrap, as a plain object (the JSON/YAML form of envoy.config.bootstrap.v3.Bootstrap). */
export type Bootstrap = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Accepts a bootstrap as an object or a YAML (or JSON) string and returns a deep copy. */
export function toBootstrap(config: object | string): Bootstrap {
  const value: unknown = typeof config === "string" ? parse(config) : structuredClone(config);
  if (!isRecord(value)) throw new Error("an Envoy bootstrap must be a mapping (YAML object)");
  return value;
}

/** Returns the bootstrap with its admin interface on 127.0.0.1 and a kernel-chosen port
 *  (Envoy writes the bound address to --admin-address-path). Other admin fields are kept. */
export function withLoopbackAdmin(bootstrap: Bootstrap): Bootstrap {
  const admin = isRecord(bootstrap.admin) ? bootstrap.admin : {};
  return { ...bootstrap, admin: { ...admin, address: { socket_address: { address: "127.0.0.1", port_value: 0 } } } };
}

/** Writes the bootstrap as `<dir>/envoy.yaml` and returns the path. */
export function writeBootstrap(dir: string, bootstrap: Bootstrap): string {
  const path = join(dir, "envoy.yaml");
  writeFileSync(path, stringify(bootstrap, { lineWidth: 0 }));
  return path;
}
