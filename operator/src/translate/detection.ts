import { createHmac } from "node:crypto";
import type { FilterDetector, FilterRestriction } from "../api/filter-config.js";
import type { Diagnostic } from "./diagnostics.js";
import type { DetectorEndpoint } from "./inputs.js";
import type { ResolvedPolicy } from "./ir.js";

/** Path of the operator's report endpoint. */
export const REPORT_PATH = "/v1/reports";
const FLUSH_MILLISECONDS = 2000;
const MAX_RECORDS = 2048;
const TIMEOUT_MILLISECONDS = 1000;

/**
 * The bearer token a policy's sidecars send with their reports: an HMAC of the policy key, so a
 * report can only speak for the policy whose WasmPlugin holds the token, and the operator needs
 * no per-policy state to check it.
 */
export function reportToken(key: string, policyKey: string): string {
  return createHmac("sha256", key).update(policyKey).digest("hex");
}

/** An http URL → the Envoy cluster Istio creates for it (`outbound|<port>||<host>`) and its authority. */
export function istioCluster(url: string): { cluster: string; authority: string } {
  const u = new URL(url);
  if (u.protocol !== "http:") throw new Error(`detector URL must be http://<service host>:<port>, got ${url}`);
  const port = u.port === "" ? "80" : u.port;
  return { cluster: `outbound|${port}||${u.hostname}`, authority: `${u.hostname}:${port}` };
}

export interface DetectionParts {
  detector?: FilterDetector;
  restrictions?: FilterRestriction[];
  diagnostics: Diagnostic[];
}

/** The filter config's detector and restriction sections for a policy. Pure. */
export function detectionParts(policy: ResolvedPolicy, endpoint: DetectorEndpoint | undefined, restrictions: readonly FilterRestriction[] | undefined): DetectionParts {
  const out: DetectionParts = { diagnostics: [] };
  if (policy.spec.detection) {
    if (endpoint) {
      out.detector = {
        ...istioCluster(endpoint.url),
        path: REPORT_PATH,
        token: reportToken(endpoint.key, `${policy.namespace}/${policy.name}`),
        flushMilliseconds: FLUSH_MILLISECONDS,
        maxRecords: MAX_RECORDS,
        timeoutMilliseconds: TIMEOUT_MILLISECONDS,
      };
    } else {
      out.diagnostics.push({
        severity: "warning",
        reason: "DetectorUnavailable",
        field: "spec.detection",
        message: "detection is set but this operator runs without a detector endpoint (--detector-url and --detector-key-file): sidecars will not report",
      });
    }
  }
  if (restrictions && restrictions.length > 0) {
    // Sorted so the same set of restrictions always renders the same bytes.
    out.restrictions = [...restrictions].sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : a.expiresAtMs - b.expiresAtMs));
  }
  return out;
}
