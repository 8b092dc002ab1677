import { z } from "zod";
import type { FilterRestriction } from "../api/filter-config.js";

/** The few fields of a Deployment the translator reads. Everything else passes through untouched. */
export const deploymentSchema = z
  .object({
    apiVersion: z.literal("apps/v1"),
    kind: z.literal("Deployment"),
    metadata: z
      .object({
        name: z.string().min(1),
        namespace: z.string().optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .loose(),
    spec: z
      .object({
        selector: z
          .object({
            matchLabels: z.record(z.string(), z.string()).optional(),
            matchExpressions: z.array(z.unknown()).optional(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();

export type Deployment = z.output<typeof deploymentSchema>;

export const secretSchema = z
  .object({
    apiVersion: z.literal("v1"),
    kind: z.literal("Secret"),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().optional() }).loose(),
    data: z.record(z.string(), z.string()).optional(),
    stringData: z.record(z.string(), z.string()).optional(),
  })
  .loose();

export type Secret = z.output<typeof secretSchema>;

/** Where the filter module is served from; the operator fills this from what it serves. */
export interface WasmModuleRef {
  url: string;
  /** Lowercase hex SHA-256 of the module; Istio refuses a module that does not match. */
  sha256?: string;
}

export interface TranslateInput {
  /** The policy as read (unvalidated: the translator reports what is wrong with it). */
  policy: unknown;
  /** Deployments in the policy's namespace; only those annotated for this policy are targets. */
  deployments: readonly Deployment[];
  /** Secrets in the policy's namespace that the policy may reference. */
  secrets: readonly Secret[];
  wasm: WasmModuleRef;
  /** The operator's detector endpoint; without it a policy's `detection` only warns. */
  detector?: DetectorEndpoint;
  /** Unexpired ClientRestrictions of this policy, already filtered by the caller. */
  restrictions?: readonly FilterRestriction[];
}

/** Where sidecars send traffic reports, and the key their per-policy tokens are derived from. */
export interface DetectorEndpoint {
  /** http://<host>:<port>; the path is fixed (REPORT_PATH). */
  url: string;
  /** Secret key (at least 32 bytes) for HMAC-SHA256 report tokens. */
  key: string;
}
