import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { expectGolden, goldenCases } from "../../testdata/golden.js";
import { envoyInputFrom } from "./golden-input.js";
import { translateEnvoy, type TranslateEnvoyInput } from "./translate-envoy.js";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "../../testdata/translate-envoy");

const render = (input: TranslateEnvoyInput) => {
  const t = translateEnvoy(input);
  return stringify({ accepted: t.accepted, diagnostics: t.diagnostics, bootstrap: t.bootstrap ?? null }, { lineWidth: 0, aliasDuplicateObjects: false });
};

type Filter = { name: string; typed_config: Record<string, unknown> };
const filtersOf = (input: TranslateEnvoyInput): Filter[] => {
  const b = translateEnvoy(input).bootstrap as { static_resources: { listeners: { filter_chains: { filters: { typed_config: { http_filters: Filter[] } }[] }[] }[] } };
  return b.static_resources.listeners[0]?.filter_chains[0]?.filters[0]?.typed_config.http_filters ?? [];
};

describe("translate-envoy goldens", () => {
  for (const c of goldenCases(DIR)) {
    it(c.name, () => {
      const actual = render(envoyInputFrom(c.input, c.name));
      assert.equal(actual, expectGolden(c.outputPath, actual));
    });
  }
});

describe("translate-envoy determinism", () => {
  for (const c of goldenCases(DIR)) {
    it(`${c.name}: same output for the same input, whatever the Secret order`, () => {
      const input = envoyInputFrom(c.input, c.name);
      const first = render(input);
      assert.equal(render(envoyInputFrom(c.input, c.name)), first);
      assert.equal(render({ ...input, secrets: [...input.secrets].reverse() }), first);
    });
  }
});

describe("translate-envoy structure", () => {
  const cases = new Map(goldenCases(DIR).map((c) => [c.name, c]));
  const input = (name: string) => {
    const c = cases.get(name);
    assert.ok(c, `missing golden case ${name}`);
    return envoyInputFrom(c.input, c.name);
  };

  it("orders filters jwt_authn → rbac → wasm → local_ratelimit → ratelimit → router", () => {
    assert.deepEqual(
      filtersOf(input("example-llm-chat")).map((f) => f.name),
      [
        "envoy.filters.http.jwt_authn",
        "envoy.filters.http.rbac",
        "envoy.filters.http.wasm",
        "envoy.filters.http.local_ratelimit",
        "envoy.filters.http.ratelimit",
        "envoy.filters.http.router",
      ],
    );
  });

  it("configures the filter with exactly the mesh's filter config", async () => {
    const { translate } = await import("../translate.js");
    const i = input("example-llm-chat");
    const mesh = translate({ policy: i.policy, deployments: i.deployments ?? [], secrets: i.secrets, wasm: { url: "file:///x" } });
    const wasm = filtersOf(i).find((f) => f.name === "envoy.filters.http.wasm");
    const config = (wasm?.typed_config as { config: { configuration: { value: string }; failure_policy: string } }).config;
    assert.deepEqual(JSON.parse(config.configuration.value), mesh.filterConfig);
    assert.equal(config.failure_policy, "FAIL_CLOSED");
  });

  it("has no jwt_authn without JWT providers, and RBAC then requires the API-key header", () => {
    const filters = filtersOf(input("api-keys-only"));
    assert.deepEqual(filters.map((f) => f.name), ["envoy.filters.http.rbac", "envoy.filters.http.wasm", "envoy.filters.http.router"]);
    assert.match(JSON.stringify(filters[0]), /"present_match":true/);
  });

  it("never copies claims into headers", () => {
    for (const c of cases.values()) {
      const text = render(envoyInputFrom(c.input, c.name));
      assert.doesNotMatch(text, /forward_payload_header|claim_to_headers/, c.name);
    }
  });

  it("warns that mesh callers cannot be checked without mutual TLS", () => {
    const t = translateEnvoy(input("example-llm-chat"));
    assert.ok(t.diagnostics.some((d) => d.severity === "warning" && d.field === "spec.callers"));
  });

  it("accepts nothing when the policy is invalid", () => {
    const t = translateEnvoy(input("invalid-spec"));
    assert.equal(t.accepted, false);
    assert.equal(t.bootstrap, undefined);
  });
});
