import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temp directory for one component's config and runtime files. */
export function makeWorkDir(component: string, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]+/g, "-").slice(0, 40);
  return mkdtempSync(join(tmpdir(), `mg-${component}-${safe}-`));
}

/** Removes a work directory, unless MODELGUARD_KEEP_TEST_DIRS=1 (to read configs after a failure). */
export function removeWorkDir(dir: string): void {
  if (process.env.MODELGUARD_KEEP_TEST_DIRS === "1") return;
  rmSync(dir, { recursive: true, force: true });
}
