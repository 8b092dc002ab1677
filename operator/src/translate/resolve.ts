import { POLICY_ANNOTATION } from "../api/constants.js";
import { toFieldErrors } from "../api/field-errors.js";
import { policySchema, type ModelEndpointPolicy } from "../api/policy.js";
import type { Diagnostic } from "./diagnostics.js";
import type { Deployment, Secret } from "./inputs.js";
import type { ResolvedApiKey, ResolvedPolicy, ResolvedTarget } from "./ir.js";
import { parseList, secretEntries, sha256Hex } from "./secrets.js";

/** API keys shorter than this are refused: they could be guessed. */
export const MIN_API_KEY_LENGTH = 16;

export interface ResolveOptions {
  /** Report referenced Secrets that are absent (the operator); off for offline checks of a lone file. */
  requireSecrets: boolean;
}

export interface ResolveResult {
  policy?: ResolvedPolicy;
  diagnostics: Diagnostic[];
}

/** Validates a policy and resolves its targets and Secret references. Pure. */
export function resolvePolicy(
  raw: unknown,
  deployments: readonly Deployment[],
  secrets: readonly Secret[],
  opts: ResolveOptions = { requireSecrets: true },
): ResolveResult {
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    return {
      diagnostics: toFieldErrors(parsed.error).map((e) => ({ severity: "error", reason: "InvalidSpec", field: e.path, message: e.message })),
    };
  }
  const policy = parsed.data;
  const namespace = policy.metadata.namespace ?? "default";
  const diagnostics: Diagnostic[] = [];
  const secretByName = new Map(secrets.filter((s) => (s.metadata.namespace ?? namespace) === namespace).map((s) => [s.metadata.name, s]));
  const apiKeys = resolveApiKeys(policy, secretByName, diagnostics, opts);
  const revoked = resolveRevocations(policy, secretByName, diagnostics, opts);
  const targets = resolveTargets(policy.metadata.name, namespace, deployments, diagnostics);
  return {
    policy: {
      name: policy.metadata.name,
      namespace,
      ...(policy.metadata.uid ? { uid: policy.metadata.uid } : {}),
      spec: policy.spec,
      targets,
      apiKeys,
      revoked,
    },
    diagnostics,
  };
}

function resolveApiKeys(policy: ModelEndpointPolicy, secrets: Map<string, Secret>, diags: Diagnostic[], opts: ResolveOptions): ResolvedApiKey[] {
  const keys: ResolvedApiKey[] = [];
  const refs = policy.spec.authentication.apiKeys?.secretRefs ?? [];
  refs.forEach((ref, i) => {
    const field = `spec.authentication.apiKeys.secretRefs[${i}].name`;
    const secret = secrets.get(ref.name);
    if (!secret) {
      if (opts.requireSecrets) {
        diags.push({ severity: "error", reason: "SecretNotFound", field, message: `Secret "${ref.name}" not found in namespace` });
      }
      return;
    }
    const entries = secretEntries(secret);
    if (entries.size === 0) {
      diags.push({ severity: "error", reason: "SecretInvalid", field, message: `Secret "${ref.name}" holds no API keys` });
    }
    for (const [client, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const key = value.trim();
      if (key.length < MIN_API_KEY_LENGTH) {
        // Name the entry, never the value.
        diags.push({
          severity: "error",
          reason: "SecretInvalid",
          field,
          message: `Secret "${ref.name}" entry "${client}" is shorter than ${MIN_API_KEY_LENGTH} characters`,
        });
        continue;
      }
      keys.push({ sha256: sha256Hex(key), client: `${ref.name}/${client}`, tier: ref.tier });
    }
  });
  const seen = new Map<string, string>();
  for (const k of keys) {
    const other = seen.get(k.sha256);
    if (other !== undefined) {
      diags.push({
        severity: "error",
        reason: "SecretInvalid",
        field: "spec.authentication.apiKeys.secretRefs",
        message: `API keys of "${other}" and "${k.client}" are identical`,
      });
    }
    seen.set(k.sha256, k.client);
  }
  return keys;
}

function resolveRevocations(policy: ModelEndpointPolicy, secrets: Map<string, Secret>, diags: Diagnostic[], opts: ResolveOptions) {
  const ref = policy.spec.revocation?.secretRef;
  if (!ref) return { jti: [], sub: [] };
  const secret = secrets.get(ref.name);
  if (!secret) {
    if (!opts.requireSecrets) return { jti: [], sub: [] };
    diags.push({
      severity: "error",
      reason: "SecretNotFound",
      field: "spec.revocation.secretRef.name",
      message: `Secret "${ref.name}" not found in namespace`,
    });
    return { jti: [], sub: [] };
  }
  const entries = secretEntries(secret);
  return { jti: parseList(entries.get("jti")), sub: parseList(entries.get("sub")) };
}

function resolveTargets(policyName: string, namespace: string, deployments: readonly Deployment[], diags: Diagnostic[]): ResolvedTarget[] {
  const targets: ResolvedTarget[] = [];
  const selected = deployments
    .filter((d) => (d.metadata.namespace ?? namespace) === namespace && d.metadata.annotations?.[POLICY_ANNOTATION] === policyName)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const d of selected) {
    const labels = d.spec.selector.matchLabels ?? {};
    const field = `Deployment/${d.metadata.name}.spec.selector`;
    if ((d.spec.selector.matchExpressions?.length ?? 0) > 0) {
      diags.push({
        severity: "warning",
        reason: "TargetUnsupported",
        field,
        message: "selector uses matchExpressions, which Istio workload selectors cannot express; Deployment skipped",
      });
      continue;
    }
    if (Object.keys(labels).length === 0) {
      diags.push({ severity: "warning", reason: "TargetUnsupported", field, message: "selector has no matchLabels; Deployment skipped" });
      continue;
    }
    targets.push({ name: d.metadata.name, selector: sortKeys(labels) });
  }
  return targets;
}

const sortKeys = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)));
