// Istio's own semantic validation of everything the translator renders: `istioctl validate`
// (built from the Go module istio.io/istio by scripts/install-istioctl.sh) runs the same
// ValidateConfig as istiod's validating webhook, which checks far more than the CRDs' OpenAPI
// schemas and CEL rules do (principals, JWT rules, condition keys, EnvoyFilter patches, ...).
// It is offline: the kubeconfig the tests hand it points at a closed port on 127.0.0.1, so any
// attempt to reach a cluster would fail the run.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { sortInputs } from "../../operator/src/cli/inputs.js";
import { parseManifests } from "../../operator/src/cli/manifests.js";
import type { KubeObject } from "../../operator/src/translate/metadata.js";
import { translate } from "../../operator/src/translate/translate.js";
import type { Translation } from "../../operator/src/translate/translate.js";
import { istioctlBin, istioctlValidate } from "./istioctl.js";
import type { ValidateResult } from "./istioctl.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = join(HERE, "../../examples");
const GOLDENS = join(HERE, "../../operator/src/testdata/translate");
const WASM = { url: "http://modelguard.modelguard-system.svc:8080/wasm/modelguard.wasm", sha256: "0".repeat(64) };

const cases = [
  ...readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(EXAMPLES, f)),
  ...readdirSync(GOLDENS)
    .filter((f) => f.endsWith(".in.yaml"))
    .sort()
    .map((f) => join(GOLDENS, f)),
];

/** Every policy in the file, translated as the operator would: with a uid, so owner references appear. */
function render(file: string): Translation[] {
  const inputs = sortInputs(parseManifests(readFileSync(file, "utf8"), file));
  return inputs.policies.map((p, i) => {
    const meta = (p.object.metadata ?? {}) as Record<string, unknown>;
    const uid = typeof meta.uid === "string" ? meta.uid : `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`;
    const policy = { ...p.object, metadata: { ...meta, uid } };
    return translate({ policy, deployments: inputs.deployments, secrets: inputs.secrets, wasm: WASM });
  });
}

const toYaml = (objects: readonly KubeObject[]) => objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");

let bin = "";
let dir = "";
let env: NodeJS.ProcessEnv = {};

before(() => {
  dir = mkdtempSync(join(tmpdir(), "modelguard-istioctl-"));
  // A kubeconfig whose cluster is a closed port: `validate` only reads it for a default namespace
  // (every object we render names its own); if it ever dialled the server, the run would fail.
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "nowhere", cluster: { server: "https://127.0.0.1:9" } }],
      users: [{ name: "nobody", user: { token: "none" } }],
      contexts: [{ name: "nowhere", context: { cluster: "nowhere", user: "nobody", namespace: "modelguard-unreachable" } }],
      "current-context": "nowhere",
    }),
  );
  env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
  bin = istioctlBin(); // throws naming scripts/install-istioctl.sh when it is not built
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function validate(name: string, objects: readonly KubeObject[]): ValidateResult {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, toYaml(objects));
  try {
    return istioctlValidate(bin, file, env);
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * Warnings istioctl gives for every object of a kind, whatever it holds. Anything else is about
 * our objects and fails the test: Istio reports some real defects only as warnings (an EnvoyFilter
 * patch that does not decode into its Envoy type is one, see the last test).
 */
const ADVISORIES = [/^\* EnvoyFilter\/[^:]+: EnvoyFilter exposes internal implementation details that may change at any time\./];

function report(t: TestContext, res: ValidateResult): string[] {
  for (const w of res.warnings) t.diagnostic(`istioctl warning: ${w}`);
  return res.warnings.filter((w) => !ADVISORIES.some((a) => a.test(w)));
}

describe("istioctl validate accepts every object the translator renders", () => {
  for (const file of cases) {
    const name = basename(file).replace(/\.ya?ml$/, "");
    const isExample = file.startsWith(EXAMPLES);
    it(`${isExample ? "examples" : "testdata"}/${basename(file)}`, (t) => {
      const translations = render(file);
      if (isExample) {
        assert.ok(translations.length > 0, `${file} holds no ModelEndpointPolicy`);
        for (const tr of translations) assert.equal(tr.accepted, true, `${file}: ${JSON.stringify(tr.diagnostics)}`);
      }
      const objects = translations.filter((tr) => tr.accepted).flatMap((tr) => tr.objects);
      if (objects.length === 0) {
        t.skip(translations.some((tr) => tr.accepted) ? "accepted, but renders no objects" : "policy not accepted: nothing to validate");
        return;
      }
      for (const o of objects) {
        assert.ok(o.metadata.ownerReferences?.length, `${o.kind}/${o.metadata.name} has no owner reference`);
      }
      const res = validate(name, objects);
      const concerns = report(t, res);
      assert.equal(res.status, 0, `istioctl validate failed on ${file}:\n${res.output}`);
      assert.deepEqual(res.errors, [], res.output);
      assert.ok(!/\berror\b/i.test(res.output), `istioctl printed an error:\n${res.output}`);
      assert.deepEqual(concerns, [], `istioctl warns about our objects:\n${res.output}`);
      t.diagnostic(`${objects.length} objects (${[...new Set(objects.map((o) => o.kind))].join(", ")}): ${res.warnings.length ? "valid with warnings" : "valid"}`);
    });
  }
});

describe("istioctl validate really validates", () => {
  /** The AuthorizationPolicy rendered for the llm-chat example, to break in different ways. */
  function authorizationPolicy(): KubeObject {
    const [tr] = render(join(EXAMPLES, "llm-chat.yaml"));
    const ap = tr?.objects.find((o) => o.kind === "AuthorizationPolicy");
    assert.ok(ap, "llm-chat renders an AuthorizationPolicy");
    return structuredClone(ap);
  }

  it("the unbroken AuthorizationPolicy on its own is valid", (t) => {
    const res = validate("ap-ok", [authorizationPolicy()]);
    assert.deepEqual(report(t, res), []);
    assert.equal(res.status, 0, res.output);
  });

  it("an AuthorizationPolicy with an invalid action is refused", (t) => {
    const ap = authorizationPolicy();
    (ap.spec as Record<string, unknown>).action = "SOMETIMES";
    const res = validate("ap-bad-action", [ap]);
    t.diagnostic(res.output.trim());
    assert.notEqual(res.status, 0, `istioctl accepted action SOMETIMES:\n${res.output}`);
    assert.match(res.output, /SOMETIMES/);
  });

  it("an AuthorizationPolicy with an unknown condition key is refused (a semantic check, not a schema one)", (t) => {
    const ap = authorizationPolicy();
    const spec = ap.spec as { rules?: Array<Record<string, unknown>> };
    assert.ok(spec.rules?.[0], "the policy has a rule to break");
    spec.rules[0].when = [{ key: "request.auth.no_such_attribute", values: ["x"] }];
    const res = validate("ap-bad-condition", [ap]);
    t.diagnostic(res.output.trim());
    assert.notEqual(res.status, 0, `istioctl accepted an unknown condition key:\n${res.output}`);
    assert.match(res.output, new RegExp(`AuthorizationPolicy/${ap.metadata.namespace}/${ap.metadata.name}`));
    assert.match(res.output, /no_such_attribute/);
  });

  // Istio decodes each patch value into its Envoy type strictly, but reports a failure only as a
  // warning (exit 0): that is why the renders above fail on any warning that is not an advisory.
  it("an EnvoyFilter whose patch misspells an Envoy field draws a warning that is not an advisory", (t) => {
    const [tr] = render(join(EXAMPLES, "llm-chat.yaml"));
    const found = tr?.objects.find((o) => o.kind === "EnvoyFilter");
    assert.ok(found, "llm-chat renders an EnvoyFilter");
    const ef = structuredClone(found);
    const patches = (ef.spec as { configPatches: Array<{ patch: { value: { typed_config?: Record<string, unknown> } } }> }).configPatches;
    const typed = patches.map((p) => p.patch.value.typed_config).find((c) => c?.token_bucket !== undefined);
    assert.ok(typed, "the EnvoyFilter has a local_ratelimit token bucket");
    typed.token_bucket = { ...(typed.token_bucket as Record<string, unknown>), max_tokenz: 1 };
    const res = validate("ef-bad-field", [ef]);
    const concerns = report(t, res);
    assert.equal(concerns.length, 1, `expected one warning about the misspelt field:\n${res.output}`);
    assert.match(concerns[0] ?? "", new RegExp(`^\\* EnvoyFilter/${ef.metadata.namespace}/${ef.metadata.name}: .*unknown field "max_tokenz"`));
  });
});
