// `modelguard render --target envoy`: the CLI edge of the standalone Envoy target.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { main } from "../../cli/main.js";

function run(argv: string[]) {
  let out = "";
  let err = "";
  const code = main(argv, { out: (s) => (out += s), err: (s) => (err += s), readStdin: () => "" });
  return { code, out, err };
}

type Bootstrap = {
  admin: { address: { socket_address: { port_value: number } } };
  static_resources: {
    listeners: { address: { socket_address: { address: string; port_value: number } } }[];
    clusters: { name: string; type: string; load_assignment: { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { address: string; port_value: number } } } }[] }[] } }[];
  };
};

const endpointOf = (b: Bootstrap, cluster: string) =>
  b.static_resources.clusters.find((c) => c.name === cluster)?.load_assignment.endpoints[0]?.lb_endpoints[0]?.endpoint.address.socket_address;

describe("modelguard render --target envoy", () => {
  const args = ["render", "--target", "envoy", "-f", "examples/llm-chat.yaml", "--wasm-file", "/opt/mg/modelguard.wasm"];

  it("prints one Envoy bootstrap with the given listener, upstream, admin port and ratelimit service", () => {
    const r = run([...args, "--listener-port", "18000", "--listener-address", "127.0.0.1", "--upstream", "vllm.local:9000", "--admin-port", "19901", "--ratelimit-service", "127.0.0.1:8081"]);
    assert.equal(r.code, 0, r.err);
    const b = parse(r.out) as Bootstrap;
    assert.deepEqual(b.static_resources.listeners[0]?.address.socket_address, { address: "127.0.0.1", port_value: 18000 });
    assert.deepEqual(endpointOf(b, "model"), { address: "vllm.local", port_value: 9000 });
    assert.deepEqual(endpointOf(b, "ratelimit_service"), { address: "127.0.0.1", port_value: 8081 });
    assert.equal(b.admin.address.socket_address.port_value, 19901);
    assert.match(r.out, /filename: \/opt\/mg\/modelguard\.wasm/);
    assert.match(r.err, /warning: .*spec\.callers: mesh principals and namespaces need Istio mutual TLS/);
  });

  it("defaults to 0.0.0.0:10000 → 127.0.0.1:8000 and the policy's ratelimit service; output is byte-stable", () => {
    const a = run(args);
    assert.equal(a.code, 0, a.err);
    assert.equal(run(args).out, a.out);
    const b = parse(a.out) as Bootstrap;
    assert.deepEqual(b.static_resources.listeners[0]?.address.socket_address, { address: "0.0.0.0", port_value: 10000 });
    assert.deepEqual(endpointOf(b, "model"), { address: "127.0.0.1", port_value: 8000 });
    assert.equal(endpointOf(b, "ratelimit_service")?.address, "modelguard-ratelimit.modelguard-system.svc.cluster.local");
  });

  it("prints JSON with -o json", () => {
    const yaml = parse(run(args).out) as unknown;
    const json = run([...args, "-o", "json"]);
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.out), yaml);
  });

  it("exits 1 for an invalid policy or more than one policy", () => {
    const broken = run(["render", "--target", "envoy", "-f", "operator/src/testdata/cli/broken-policy.yaml"]);
    assert.equal(broken.code, 1);
    assert.equal(broken.out, "");
    const two = run(["render", "--target", "envoy", "-f", "examples/llm-chat.yaml", "-f", "examples/image-classifier.yaml"]);
    assert.equal(two.code, 1);
    assert.match(two.err, /renders one policy per Envoy/);
  });

  it("exits 2 on usage errors", () => {
    for (const extra of [
      ["--target", "gke"],
      ["--listener-port", "0"],
      ["--listener-port", "70000"],
      ["--upstream", "no-port"],
      ["--ratelimit-service", "a b:1"],
      ["--listener-address", "localhost"],
      ["--wasm-sha256", "a".repeat(64)],
    ]) {
      assert.equal(run([...args, ...extra]).code, 2, extra.join(" "));
    }
    // Envoy-only flags do not apply to the default (istio) target.
    assert.equal(run(["render", "-f", "examples/llm-chat.yaml", "--upstream", "a:1"]).code, 2);
  });

  it("leaves the default target (istio) as it was", () => {
    const istio = run(["render", "-f", "examples/llm-chat.yaml", "--wasm-sha256", "c".repeat(64)]);
    assert.deepEqual(istio, run(["render", "--target", "istio", "-f", "examples/llm-chat.yaml", "--wasm-sha256", "c".repeat(64)]));
    assert.match(istio.out, /kind: WasmPlugin/);
  });
});
