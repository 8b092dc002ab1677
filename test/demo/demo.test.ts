// Runs `npm run demo` (scripts/demo.ts) as a process, as a user would: real Envoy, ratelimit
// service, Redis and the sample model server on 127.0.0.1. Asserts the exit code, every
// decision in the printed table, and that nothing is left running afterwards.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { httpRequest } from "../harness/envoy/http.js";
import { pollUntil } from "../harness/poll.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the demo; `until` (when given) is called on each stdout chunk and may signal it. */
function runDemo(args: string[], until?: (stdout: string, child: ReturnType<typeof spawn>) => void): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
      until?.(stdout, child);
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The table rows: request text → [status, reason, decided by]. */
function table(stdout: string): Map<string, { ok: boolean; status: number; reason: string; by: string }> {
  const rows = new Map<string, { ok: boolean; status: number; reason: string; by: string }>();
  for (const line of stdout.split("\n")) {
    const m = /^\d+\s+(.+?)\s{2,}([✓✗]) (allow|deny)\s+(\d{3})\s+(.*?)\s{2,}(model|rbac|jwt_authn|modelguard filter|local_ratelimit|ratelimit service|envoy)\b/.exec(line);
    if (m?.[1] && m[4]) rows.set(m[1], { ok: m[2] === "✓", status: Number(m[4]), reason: (m[5] ?? "").trim(), by: m[6] ?? "" });
  }
  return rows;
}

const adminUrl = (stdout: string) => /Metrics: (http:\/\/127\.0\.0\.1:\d+)\/stats\/prometheus/.exec(stdout)?.[1];

/** After the demo, its Envoy must be gone: the admin port refuses connections. */
async function assertStopped(url: string | undefined): Promise<void> {
  assert.ok(url, "the demo printed its metrics URL");
  await pollUntil(
    async () => {
      try {
        await httpRequest(`${url}/ready`, { timeoutMs: 1000 });
        return undefined;
      } catch {
        return true;
      }
    },
    { what: "the demo's Envoy to be stopped", timeoutMs: 10_000 },
  );
}

describe("npm run demo", () => {
  it("sends good and bad traffic through a real Envoy, prints each decision and exits 0", async () => {
    const run = await runDemo([]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const rows = table(run.stdout);
    const expected: [string, number, string, string][] = [
      ["JWT tier free, chat llama-3-8b", 200, "", "model"],
      ["JWT tier pro + scope models:large, chat llama-3-70b", 200, "", "model"],
      ["API key from Secret llm-chat-api-keys", 200, "", "model"],
      ["GET /v1/models with a JWT", 200, "", "model"],
      ["chat asking for logprobs (hardened response)", 200, "", "model"],
      ["no credentials", 403, "RBAC: access denied", "rbac"],
      ["expired JWT", 401, "Jwt is expired", "jwt_authn"],
      ["JWT signed by an attacker's key", 401, "Jwt verification fails", "jwt_authn"],
      ["JWT from another issuer", 401, "Jwt issuer is not configured", "jwt_authn"],
      ["forged claim headers, no token", 403, "RBAC: access denied", "rbac"],
      ["JWT tier free + forged x-modelguard-tier: pro, llama-3-70b", 403, "tier_not_allowed", "modelguard filter"],
      ["JWT tier pro without scope models:large", 403, "scope_missing", "modelguard filter"],
      ["revoked JWT (jti in llm-chat-revocations)", 401, "token_revoked", "modelguard filter"],
      ["unknown API key", 401, "api_key_invalid", "modelguard filter"],
      ["prompt injection", 400, "prompt_denied", "modelguard filter"],
      ["malformed JSON", 400, "json_malformed", "modelguard filter"],
      ["max_tokens 2048 on tier free (cap 512)", 400, "max_tokens_exceeded", "modelguard filter"],
      ["300 KB body (limit 256 KiB)", 413, "body_too_large", "modelguard filter"],
      ["XML instead of JSON", 415, "content_type_unsupported", "modelguard filter"],
      ["one free client, burst of requests (burst 5)", 429, "quota_exceeded", "modelguard filter"],
    ];
    for (const [what, status, reason, by] of expected) {
      const row = rows.get(what);
      assert.ok(row, `no table row for "${what}"\n${run.stdout}`);
      assert.deepEqual({ status: row.status, reason: row.reason, by: row.by }, { status, reason, by }, what);
      assert.ok(row.ok, `${what} is marked ✗`);
    }
    assert.ok(rows.has("unsigned JWT (alg: none)"));
    assert.match(run.stdout, /All \d+ requests got the expected answer/);
    assert.match(run.stdout, /logprobs stripped/);
    assert.match(run.stdout, /retry-after \d+s/);
    assert.match(run.stdout, /inline JWKS with the\s+same issuer \(https:\/\/idp\.example\.com\)/);
    assert.match(run.stdout, /^ {2}modelguard_requests_allowed\{\} [1-9]/m);
    assert.match(run.stdout, /^ {2}modelguard_requests_denied_quota_exceeded\{\} 1$/m);
    assert.match(run.stdout, /"modelguard":"audit"/);
    await assertStopped(adminUrl(run.stdout));
  });

  it("--keep leaves everything running until Ctrl-C, then stops it all and exits 0", async () => {
    let url: string | undefined;
    let checked: Promise<number> | undefined;
    const run = await runDemo(["--keep"], (stdout, child) => {
      if (checked !== undefined || !stdout.includes("Still running")) return;
      url = adminUrl(stdout);
      // Still serving after the scripted traffic; then Ctrl-C.
      checked = httpRequest(`${url ?? ""}/ready`, { timeoutMs: 5000 })
        .then((r) => r.status)
        .finally(() => child.kill("SIGINT"));
    });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.ok(checked, "the demo said it is still running");
    assert.equal(await checked, 200);
    assert.match(run.stdout, /stopping/);
    await assertStopped(url);
  });
});
