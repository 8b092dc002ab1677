import type { Diagnostic } from "../translate/diagnostics.js";

export const formatDiagnostic = (d: Diagnostic) => `${d.field ? `${d.field}: ` : ""}${d.message} (${d.reason})`;
