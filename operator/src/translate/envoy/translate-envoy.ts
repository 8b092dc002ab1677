import type { Diagnostic } from "../diagnostics.js";
import type { Deployment, Secret } from "../inputs.js";
import { resolvePolicy } from "../resolve.js";
import { translate } from "../translate.js";
import { buildEnvoyBootstrap, type EnvoyBootstrap, type EnvoyTargetOptions } from "./bootstrap.js";

export interface TranslateEnvoyInput {
  /** The policy as read (unvalidated). */
  policy: unknown;
  /** Secrets the policy may reference (API keys, revocations). */
  secrets: readonly Secret[];
  /** Deployments are not needed for one standalone Envoy; passing them only adds their diagnostics. */
  deployments?: readonly Deployment[];
  options: EnvoyTargetOptions;
}

export interface EnvoyTranslation {
  /** False when any diagnostic is an error: then there is no bootstrap. */
  accepted: boolean;
  diagnostics: Diagnostic[];
  bootstrap?: EnvoyBootstrap;
}

/**
 * Policy + Secrets → a complete Envoy bootstrap for users who run Envoy without Istio. The
 * filter configuration and every diagnostic come from the mesh translator, so both targets
 * accept the same policies and configure the filter identically. Pure.
 */
export function translateEnvoy(input: TranslateEnvoyInput): EnvoyTranslation {
  const deployments = input.deployments ?? [];
  const mesh = translate({ policy: input.policy, deployments, secrets: input.secrets, wasm: { url: `file://${input.options.wasmFile}` } });
  const { policy } = resolvePolicy(input.policy, deployments, input.secrets);
  if (!mesh.accepted || !mesh.filterConfig || !policy) return { accepted: false, diagnostics: mesh.diagnostics };
  const { bootstrap, diagnostics } = buildEnvoyBootstrap(policy, mesh.filterConfig, input.options);
  return { accepted: true, diagnostics: [...mesh.diagnostics, ...diagnostics], bootstrap };
}
