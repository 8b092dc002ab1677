// test/e2e-kind/run.sh cannot run here (no Docker engine), so its dry run (E2E_DRY_RUN=1, which
// prints each command instead of running it) is checked instead: every command in `usage` is
// implemented, `all` runs the steps in order without touching docker, kind, kubectl, helm,
// istioctl or node, and what the commands name agrees with the Dockerfile, the chart,
// kind-config.yaml, the manifests and test/e2e-kind/names.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Deployment } from "kubernetes-models/apps/v1";
import { Namespace, Service, ServiceAccount } from "kubernetes-models/v1";
import { parse, parseAllDocuments } from "yaml";
import * as names from "../e2e-kind/names.js";
import { helmTools, run as runTool } from "../helm/tools.js";
import { copies, execForm, last, parseDockerfile } from "./dockerfile.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SCRIPT = join(ROOT, "test/e2e-kind/run.sh");
/** Tools a dry run must never start. */
const TOOLS = ["docker", "kind", "kubectl", "helm", "istioctl", "node", "npx", "npm"];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Splits one printed command ("+ a 'b c' 'it'\''s'") back into its arguments. */
function splitPrinted(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (c === " ") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      assert.ok(end > i, `unbalanced quote in ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === "\\") {
      word = (word ?? "") + (line[i + 1] ?? "");
      i++;
    } else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

describe("test/e2e-kind/run.sh (dry run)", () => {
  let dir = "";
  let fakeBin = "";
  let calls = "";

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "mg-e2e-run-"));
    fakeBin = join(dir, "bin");
    calls = join(dir, "calls.log");
    mkdirSync(fakeBin);
    // Stand-ins that record being started and fail, first on PATH, to prove a dry run starts none.
    for (const tool of TOOLS) {
      const path = join(fakeBin, tool);
      writeFileSync(path, `#!/bin/sh\necho "${tool} $*" >>"${calls}"\nexit 97\n`);
      chmodSync(path, 0o755);
    }
  });

  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  const script = (args: string[], dryRun = true, path = `${fakeBin}:/usr/bin:/bin`): Run => {
    writeFileSync(calls, "");
    const env: NodeJS.ProcessEnv = { PATH: path, HOME: dir, TMPDIR: dir, ...(dryRun ? { E2E_DRY_RUN: "1" } : {}) };
    const res = spawnSync("/bin/bash", [SCRIPT, ...args], { cwd: dir, env, encoding: "utf8", timeout: 30_000 });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
  };
  const started = () => readFileSync(calls, "utf8");
  const headers = (out: string) => [...out.matchAll(/^==> (\S+)$/gm)].map((m) => m[1]);
  const commands = (out: string) => out.split("\n").filter((l) => l.startsWith("+ ")).map((l) => splitPrinted(l.slice(2)));

  /** The command names of usage's "Commands" block, in order. */
  const usageCommands = (): string[] => {
    const usage = script(["help"], false);
    assert.equal(usage.status, 0, usage.stderr);
    const block = usage.stdout.split(/^Commands[^\n]*\n/m)[1]?.split(/\n\n/)[0] ?? "";
    return [...block.matchAll(/^ {2}([a-z][a-z-]*) {2,}/gm)].map((m) => m[1] ?? "");
  };

  it("usage lists the steps, teardown, all and help", () => {
    const listed = usageCommands();
    assert.deepEqual(listed.slice(-3), ["teardown", "all", "help"]);
    assert.ok(listed.length >= 11, listed.join(" "));
  });

  it("every command in usage is implemented: its dry run prints its step and exits 0", () => {
    for (const command of usageCommands().filter((c) => c !== "help" && c !== "all")) {
      const res = script([command]);
      assert.equal(res.status, 0, `${command}: ${res.stderr}`);
      assert.deepEqual(headers(res.stdout), [command], `${command} runs exactly its own step`);
      assert.ok(commands(res.stdout).length > 0, `${command} would run something`);
      assert.equal(started(), "", `${command}: a dry run started ${started()}`);
    }
  });

  it("all: every step in usage order, then teardown; nothing started; --keep keeps the cluster", () => {
    const steps = usageCommands().filter((c) => !["teardown", "all", "help"].includes(c));
    const res = script(["all"]);
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(headers(res.stdout), [...steps, "teardown"]);
    assert.equal(started(), "", `a dry run started: ${started()}`);
    const kept = script(["--keep", "all"]);
    assert.equal(kept.status, 0, kept.stderr);
    assert.deepEqual(headers(kept.stdout), steps);
  });

  it("an unknown command, or none, prints usage and exits 2", () => {
    for (const args of [["deploy"], [], ["--frobnicate"]]) {
      const res = script(args);
      assert.equal(res.status, 2, `${args.join(" ")}: ${res.stdout}${res.stderr}`);
      assert.match(res.stderr, /^Usage: test\/e2e-kind\/run\.sh/);
      assert.equal(headers(res.stdout).length, 0, "nothing ran");
    }
  });

  it("without its tools on PATH a real run stops at the first step, naming what is missing", () => {
    // A PATH with only the few utilities the script itself uses, so no real docker or kind is found.
    const sysBin = join(dir, "sys-bin");
    mkdirSync(sysBin, { recursive: true });
    for (const tool of ["dirname", "mktemp", "rm"]) {
      const found = spawnSync("/bin/sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      assert.ok(found.startsWith("/"), `${tool} is on this machine`);
      symlinkSync(found, join(sysBin, tool));
    }
    const res = script(["create-cluster"], false, sysBin);
    assert.equal(res.status, 1, res.stderr);
    assert.match(res.stderr, /not on PATH: docker kind \(see: run\.sh help\)/);
    assert.match(res.stderr, /step create-cluster failed/);
  });

  describe("what the commands name agrees with the files they use", () => {
    let all: string[][] = [];
    const dockerfile = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
    const find = (pred: (argv: string[]) => boolean, what: string) => all.find(pred) ?? assert.fail(`no ${what} in the dry run`);
    const after = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

    before(() => {
      const res = script(["all"]);
      assert.equal(res.status, 0, res.stderr);
      all = commands(res.stdout);
    });

    it("kind: the cluster kind-config.yaml names, with every node image pinned by digest", () => {
      const create = find((a) => a[0] === "kind" && a[1] === "create", "kind create cluster");
      assert.equal(after(create, "--config"), join(ROOT, "kind-config.yaml"));
      const config = parse(readFileSync(join(ROOT, "kind-config.yaml"), "utf8")) as { kind: string; apiVersion: string; name: string; nodes: { role: string; image: string }[] };
      assert.equal(config.kind, "Cluster");
      assert.equal(config.apiVersion, "kind.x-k8s.io/v1alpha4");
      assert.equal(after(create, "--name"), config.name);
      assert.ok(config.nodes.some((n) => n.role === "control-plane"));
      for (const node of config.nodes) assert.match(node.image, /^kindest\/node:v1\.3[45]\.\d+@sha256:[0-9a-f]{64}$/, `${node.role}: a Kubernetes 1.34/1.35 node image, by digest`);
      const del = find((a) => a[0] === "kind" && a[1] === "delete", "kind delete cluster");
      assert.equal(after(del, "--name"), config.name);
    });

    it("images: each docker build target exists, and the loaded images are the built ones", () => {
      const builds = all.filter((a) => a[0] === "docker" && a[1] === "build");
      const built = new Map(builds.map((a) => [after(a, "--target") ?? "", after(a, "-t") ?? ""]));
      assert.deepEqual([...built.keys()].sort(), ["e2e-client", "model-server", "operator"]);
      for (const target of built.keys()) assert.ok(dockerfile.stages.some((s) => s.name === target), `Dockerfile stage ${target}`);
      const load = find((a) => a[0] === "kind" && a[1] === "load", "kind load docker-image");
      assert.deepEqual(load.slice(5).sort(), [...built.values()].sort());
    });

    it("install-chart: the module path is the operator image's, and the chart renders with the script's flags", () => {
      const op = dockerfile.stages.find((s) => s.name === "operator") ?? assert.fail("no operator stage");
      const cp = find((a) => a[0] === "docker" && a[1] === "cp", "docker cp");
      const moduleCopy = copies(op).find((c) => c.sources.some((s) => s.endsWith("modelguard.wasm")));
      assert.equal(cp[2]?.split(":")[1], moduleCopy?.dest.replace(/^\.\//, `${last(op, "WORKDIR")?.args ?? ""}/`));
      const [, verb, installFlag, release = "", chart = "", ...rest] = find((a) => a[0] === "helm", "helm upgrade --install");
      assert.deepEqual([verb, installFlag], ["upgrade", "--install"]);
      assert.equal(chart, join(ROOT, "charts/modelguard"));
      // `helm template` with the same release, chart and values; flags that only matter to a live
      // install (and their values) are left out.
      const liveOnly = new Map([["--kube-context", 1], ["--timeout", 1], ["--wait", 0], ["--create-namespace", 0]]);
      const sha = "5".repeat(64);
      const flags: string[] = [];
      for (let i = 0; i < rest.length; i++) {
        const skip = liveOnly.get(rest[i] ?? "");
        if (skip !== undefined) i += skip;
        else flags.push((rest[i] ?? "").replace("<sha>", sha));
      }
      const { helm } = helmTools();
      const rendered = runTool(helm, ["template", release, chart, ...flags]);
      assert.equal(rendered.status, 0, rendered.stderr);
      const deployment = parseAllDocuments(rendered.stdout)
        .map((d) => d.toJS() as { kind?: string; spec?: { template: { spec: { containers: { image: string; imagePullPolicy: string; args: string[] }[] } } } })
        .find((o) => o.kind === "Deployment");
      const container = deployment?.spec?.template.spec.containers[0];
      const operatorImage = after(find((a) => a[0] === "docker" && after(a, "--target") === "operator", "operator build"), "-t");
      assert.equal(container?.image, operatorImage);
      assert.equal(container?.imagePullPolicy, "Never", "kind-loaded images are never pulled");
      assert.equal(container?.args[container.args.indexOf("--wasm-sha256") + 1], sha);
    });

    it("manifests: valid objects with the names, images and injection the script and names.ts expect", () => {
      const docs = ["model.yaml", "clients.yaml"].flatMap((f) =>
        parseAllDocuments(readFileSync(join(ROOT, "test/e2e-kind/manifests", f), "utf8")).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } }),
      );
      for (const doc of docs) {
        const model = { Deployment, Namespace, Service, ServiceAccount }[doc.kind];
        assert.ok(model, `unexpected kind ${doc.kind}`);
        new model(doc as never).validate();
      }
      const ns = (name: string) => docs.find((d) => d.kind === "Namespace" && d.metadata.name === name) as { metadata: { labels?: Record<string, string> } } | undefined;
      for (const n of [names.MODEL_NAMESPACE, names.CLIENT_NAMESPACE]) assert.equal(ns(n)?.metadata.labels?.["istio-injection"], "enabled", `namespace ${n} gets sidecars`);
      type Dep = { metadata: { annotations?: Record<string, string> }; spec: { template: { spec: { serviceAccountName?: string; containers: { name: string; image: string; command?: string[] }[] } } } };
      const dep = (ns: string, name: string) => (docs.find((d) => d.kind === "Deployment" && d.metadata.namespace === ns && d.metadata.name === name) as Dep | undefined) ?? assert.fail(`no Deployment ${ns}/${name}`);
      const image = (target: string) => after(find((a) => a[0] === "docker" && after(a, "--target") === target, `${target} build`), "-t");
      const model = dep(names.MODEL_NAMESPACE, names.MODEL_NAME);
      assert.equal(model.metadata.annotations?.["modelguard.dev/policy"], names.POLICY_NAME);
      assert.equal(model.spec.template.spec.containers[0]?.image, image("model-server"));
      const service = docs.find((d) => d.kind === "Service") as { metadata: { name: string }; spec: { ports: { port: number }[] } } | undefined;
      assert.equal(service?.metadata.name, names.MODEL_NAME);
      assert.equal(service.spec.ports[0]?.port, names.MODEL_PORT);
      const clientEntry = execForm(last(dockerfile.stages.find((s) => s.name === "e2e-client") ?? assert.fail("no e2e-client stage"), "ENTRYPOINT") ?? assert.fail("no ENTRYPOINT"));
      for (const [account, as] of [[names.CALLER_ACCOUNT, "caller"], [names.STRANGER_ACCOUNT, "stranger"]] as const) {
        const client = dep(names.CLIENT_NAMESPACE, account);
        assert.equal(client.spec.template.spec.serviceAccountName, account);
        const container = client.spec.template.spec.containers[0] ?? assert.fail(`${account} has no container`);
        assert.equal(container.image, image("e2e-client"));
        assert.equal(container.command?.[0], clientEntry[0], "the idle command runs the image's node");
        const exec = find((a) => a.includes("exec") && a.includes(`deployment/${account}`), `kubectl exec in ${account}`);
        assert.equal(after(exec, "-n"), names.CLIENT_NAMESPACE);
        assert.equal(after(exec, "-c"), container.name);
        assert.deepEqual(exec.slice(exec.indexOf("--") + 1), [...clientEntry, "--as", as, "--keys", "-"]);
      }
    });

    it("policy and keys: the names make-policy.ts and the clients use", () => {
      const wait = find((a) => a.includes("wait") && a.some((w) => w.startsWith("--for=condition=Programmed")), "wait for Programmed");
      assert.equal(wait.at(-2), `modelendpointpolicy/${names.POLICY_NAME}`);
      assert.equal(after(wait, "-n"), names.MODEL_NAMESPACE);
      const secret = find((a) => a.includes("create") && a.includes("secret"), "kubectl create secret");
      assert.equal(after(secret, "generic"), names.KEYS_SECRET);
      assert.equal(after(secret, "-n"), names.CLIENT_NAMESPACE);
      const stats = find((a) => a.includes("pilot-agent"), "the sidecar stats");
      assert.equal(after(stats, "-n"), names.MODEL_NAMESPACE);
      assert.ok(stats.includes(`deployment/${names.MODEL_NAME}`));
    });
  });
});
