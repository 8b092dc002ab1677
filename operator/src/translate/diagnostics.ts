/** Why a policy was rejected or only partly applied. Reasons are UpperCamelCase condition reasons. */
export type DiagnosticReason =
  | "InvalidSpec"
  | "SecretNotFound"
  | "SecretInvalid"
  | "TargetUnsupported"
  | "DetectorUnavailable";

export interface Diagnostic {
  /** error: the policy is not accepted and nothing is applied; warning: applied, with a caveat. */
  severity: "error" | "warning";
  reason: DiagnosticReason;
  /** Field path in the policy (or the referenced object) the problem is about. */
  field: string;
  message: string;
}

export const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === "error");
