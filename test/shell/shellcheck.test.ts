// ShellCheck over every shell script in the repository. Severity `style` (every check but the
// optional ones): the most common real bug, an unquoted expansion (SC2086), is only `info`, so
// `warning` would let it through; style findings are few and cheap to fix in scripts this size.
// -x with --source-path=SCRIPTDIR follows `source` lines as the scripts' own directives expect.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, shellcheck, shellScripts } from "./shellcheck-bin.js";

const FLAGS = ["--external-sources", "--source-path=SCRIPTDIR", "--severity=style", "--format=gcc"];

function check(bin: string, files: string[], cwd = REPO_ROOT): { status: number | null; findings: string } {
  const res = spawnSync(bin, [...FLAGS, ...files], { cwd, encoding: "utf8", maxBuffer: 16 << 20 });
  if (res.error) throw res.error;
  return { status: res.status, findings: `${res.stdout}${res.stderr}`.trim() };
}

describe("shell scripts", () => {
  it("are all found: *.sh and shebang scripts such as .ci/run", () => {
    const scripts = shellScripts();
    for (const expected of [".ci/run", "scripts/ci-setup.sh", "scripts/install-shellcheck.sh", "test/e2e-kind/run.sh"]) {
      assert.ok(scripts.includes(expected), `${expected} in ${scripts.join(" ")}`);
    }
  });

  it("pass ShellCheck at severity style", (t) => {
    const sc = shellcheck();
    const scripts = shellScripts();
    t.diagnostic(`ShellCheck ${sc.version} (${sc.pinned ? "pinned" : "from PATH, not the pinned build"}) on ${scripts.length} scripts`);
    const { status, findings } = check(sc.path, scripts);
    assert.equal(findings, "", `ShellCheck findings:\n${findings}`);
    assert.equal(status, 0);
  });

  it("these flags do report an unquoted expansion (an info-level finding) and an unfollowed source", () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-shellcheck-"));
    try {
      writeFileSync(join(dir, "bad.sh"), '#!/usr/bin/env bash\n# shellcheck source=missing.env\nsource "$(dirname "$0")/missing.env"\nrm $1\n');
      const { status, findings } = check(shellcheck().path, ["bad.sh"], dir);
      assert.notEqual(status, 0);
      assert.match(findings, /SC2086/);
      assert.match(findings, /SC1091/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
