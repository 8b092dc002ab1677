import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { main } from "./main.js";

const BROKEN = "operator/src/testdata/cli/broken-policy.yaml";

function run(argv: string[], stdin?: string) {
  let out = "";
  let err = "";
  const code = main(argv, { out: (s) => (out += s), err: (s) => (err += s), readStdin: () => stdin ?? "" });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), "mg-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
let tmpCount = 0;
const tmpFile = (name: string, text: string) => {
  const p = join(tmp, `${tmpCount++}-${name}`);
  writeFileSync(p, text);
  return p;
};

describe("modelguard validate", () => {
  it("names every offending field of a broken policy and exits 1", () => {
    const r = run(["validate", "-f", BROKEN]);
    assert.equal(r.code, 1);
    const lines = r.out.trim().split("\n").map((l) => l.replace(/^.*ModelEndpointPolicy\/broken: /, ""));
    assert.deepEqual(lines, [
      'spec.protocol: must be one of "Auto", "OpenAI", "KServeV1", "OIPV2" (InvalidSpec)',
      'spec.mtls.mode: must be one of "Strict", "Permissive" (InvalidSpec)',
      "spec.authentication.jwt[0]: exactly one of jwksUri and jwks must be set (InvalidSpec)",
      "spec.tiers[1].requestsPerMinute: must be greater than 0 (InvalidSpec)",
      "spec.rules[0].models: must have at least 1 item (InvalidSpec)",
      "spec.payload.maxBodyBytes: must be greater than 0 (InvalidSpec)",
      "spec.payload.fields[0].path: must be a field path such as `messages[*].content` or `instances[0].image_url` (InvalidSpec)",
      "spec.payload.fields[0].minimum: minimum must not exceed maximum (InvalidSpec)",
      "spec.extraction.throttleRequestsPerMinute: throttleRequestsPerMinute is required when action is Throttle (InvalidSpec)",
      "spec.audit.allowSamplePercent: must be less than or equal to 100 (InvalidSpec)",
      "spec.rules: rules[].tiers must name tiers defined in spec.tiers (InvalidSpec)",
    ]);
    assert.match(r.err, /11 problems found/);
  });

  it("accepts every example and exits 0", () => {
    for (const f of ["llm-chat", "image-classifier", "multi-model-kserve"]) {
      const r = run(["validate", "-f", `examples/${f}.yaml`]);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.err, /valid/);
    }
  });

  it("checks Secrets in the files but not Secrets that are absent", () => {
    const policy = `apiVersion: modelguard.dev/v1alpha1
kind: ModelEndpointPolicy
metadata: {name: k}
spec:
  authentication: {apiKeys: {secretRefs: [{name: keys, tier: t}, {name: elsewhere, tier: t}]}}
  tiers: [{name: t}]
  rules: [{models: ["*"]}]
`;
    assert.equal(run(["validate", "-f", tmpFile("p.yaml", policy)]).code, 0);
    const weak = `${policy}---\napiVersion: v1\nkind: Secret\nmetadata: {name: keys}\nstringData: {bot: tiny}\n`;
    const r = run(["validate", "-f", tmpFile("p.yaml", weak)]);
    assert.equal(r.code, 1);
    assert.match(r.out, /entry "bot" is shorter than 16 characters/);
    assert.doesNotMatch(r.out, /tiny/, "a key value must never be printed");
  });

  it("reports invalid YAML with its line and exits 1", () => {
    const r = run(["validate", "-f", tmpFile("bad.yaml", "kind: ModelEndpointPolicy\nspec: [\n")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.yaml:\d+: invalid YAML/);
  });

  it("reports an unreadable file and exits 1", () => {
    const r = run(["validate", "-f", "/nonexistent/policy.yaml"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot read: ENOENT/);
  });
});

describe("modelguard render", () => {
  it("prints YAML documents for an example", () => {
    const r = run(["render", "-f", "examples/multi-model-kserve.yaml", "--wasm-sha256", "c".repeat(64)]);
    assert.equal(r.code, 0, r.err);
    const kinds = r.out.split(/^---$/m).map((d) => (parse(d) as { kind: string }).kind);
    assert.deepEqual(kinds, [
      ...["PeerAuthentication", "RequestAuthentication", "AuthorizationPolicy", "WasmPlugin", "EnvoyFilter"],
      ...["PeerAuthentication", "RequestAuthentication", "AuthorizationPolicy", "WasmPlugin", "EnvoyFilter"],
      "ConfigMap",
    ]);
    assert.match(r.out, new RegExp(`sha256: ${"c".repeat(64)}`));
  });

  it("prints a JSON List with -o json, reading stdin with -f -", () => {
    const text = run(["render", "-f", "examples/image-classifier.yaml", "-o", "json"]);
    assert.equal(text.code, 0);
    const viaStdin = run(["render", "-f", "-", "-o", "json"], readFileSync("examples/image-classifier.yaml", "utf8"));
    assert.equal(viaStdin.out, text.out);
    const list = JSON.parse(text.out) as { kind: string; items: { kind: string }[] };
    assert.equal(list.kind, "List");
    assert.equal(list.items.length, 4);
  });

  it("exits 1 and renders nothing for an invalid policy", () => {
    const r = run(["render", "-f", BROKEN]);
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.match(r.err, /spec\.tiers\[1\]\.requestsPerMinute: must be greater than 0/);
  });

  it("warns when no Deployment is annotated for the policy", () => {
    const r = run(["render", "-f", "operator/src/testdata/translate/no-targets.in.yaml"]);
    assert.equal(r.code, 0);
    assert.match(r.err, /no Deployment in the input is annotated/);
  });
});

describe("usage errors exit 2", () => {
  const cases: [string, string[]][] = [
    ["no command", []],
    ["unknown command", ["deploy"]],
    ["render without -f", ["render"]],
    ["validate without -f", ["validate"]],
    ["bad output format", ["render", "-f", BROKEN, "-o", "xml"]],
    ["unknown flag", ["render", "-f", BROKEN, "--frobnicate"]],
    ["stray positional", ["validate", BROKEN]],
    ["bad sha256", ["render", "-f", BROKEN, "--wasm-sha256", "xyz"]],
  ];
  for (const [name, argv] of cases) it(name, () => assert.equal(run(argv).code, 2));

  it("--help exits 0", () => {
    assert.equal(run(["--help"]).code, 0);
    assert.equal(run(["render", "--help"]).code, 0);
  });
});

describe("the modelguard process", () => {
  it("exits with the command's code and writes to stdout/stderr", () => {
    const p = spawnSync(process.execPath, ["--import", "tsx", "operator/src/cli/main.ts", "validate", "-f", BROKEN], { encoding: "utf8" });
    assert.equal(p.status, 1, p.stderr);
    assert.match(p.stdout, /spec\.tiers\[1\]\.requestsPerMinute: must be greater than 0/);
    const u = spawnSync(process.execPath, ["--import", "tsx", "operator/src/cli/main.ts", "bogus"], { encoding: "utf8" });
    assert.equal(u.status, 2);
    assert.match(u.stderr, /unknown command/);
  });
});

describe("modelguard simulate", () => {
  it("runs the compiled filter on each request line and prints one decision per line", () => {
    const r = run(["simulate", "--policy", "examples/llm-chat.yaml", "--requests", "examples/requests/llm-chat.jsonl"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as { id: string; action: string; status: number; reason: string; headers: Record<string, string> });
    assert.deepEqual(lines.map((l) => [l.id, l.action, l.status, l.reason]), [
      ["no-auth", "deny", 401, "unauthenticated"],
      ["jwt-free-ok", "allow", 200, ""],
      ["free-large", "deny", 403, "tier_not_allowed"],
      ["pro-large", "allow", 200, ""],
      ["injection", "deny", 400, "prompt_denied"],
      ["malformed", "deny", 400, "json_malformed"],
      ["apikey", "allow", 200, ""],
      ["badkey", "deny", 401, "api_key_invalid"],
      ["xml", "deny", 415, "content_type_unsupported"],
      ["models", "allow", 200, ""],
    ]);
    assert.equal(lines[1]?.headers["x-ratelimit-remaining"], "4");
  });

  it("counts quotas across lines and refills them with delayMs", () => {
    const policy = `apiVersion: modelguard.dev/v1alpha1
kind: ModelEndpointPolicy
metadata: {name: q}
spec:
  authentication: {jwt: [{name: idp, issuer: i, jwks: "{}"}]}
  tiers: [{name: t, requestsPerMinute: 2}]
  rules: [{models: ["*"]}]
`;
    const req = (extra: string) => `{"path":"/v2/models/m/infer","headers":{"content-type":"application/json"},"body":"{}","claims":{"sub":"a","tier":"t"}${extra}}`;
    const lines = [req(""), req(""), req(""), req(',"delayMs":30000')].join("\n");
    const r = run(["simulate", "--policy", tmpFile("q.yaml", policy), "--requests", tmpFile("r.jsonl", lines), "--workers", "2"]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split("\n").map((l) => (JSON.parse(l) as { status: number }).status), [200, 200, 429, 200]);
  });

  it("names the line of a bad request and exits 1; usage errors exit 2", () => {
    const r = run(["simulate", "--policy", "examples/llm-chat.yaml", "--requests", tmpFile("bad.jsonl", '{"path":"/"}\n{"nopath":1}\n')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.jsonl:2: a request needs at least a "path"/);
    assert.equal(run(["simulate", "--policy", "examples/llm-chat.yaml"]).code, 2);
    assert.equal(run(["simulate", "--policy", "examples/llm-chat.yaml", "--requests", "x", "--workers", "0"]).code, 2);
  });
});
