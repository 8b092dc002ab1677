// The runtime images' file trees, rebuilt on disk from the Dockerfile's COPY lines (no Docker
// engine here) over this checkout's real build outputs, and their ENTRYPOINTs run from them:
// the operator's CLI finds the filter module it serves, the sample model server answers with no
// node_modules at all, and what each image runs imports production dependencies only.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, parse } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { httpRequest } from "../harness/envoy/http.js";
import { pollUntil } from "../harness/poll.js";
import { freePort } from "../harness/ports.js";
import { startProcess } from "../harness/process.js";
import { execForm, last, parseDockerfile } from "./dockerfile.js";
import type { Stage } from "./dockerfile.js";
import { bareImports, hostPath, layOut } from "./image-layout.js";
import type { SourceResolver } from "./image-layout.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const MODULE = join(ROOT, "wasm-filter/build/modelguard.wasm");
const dockerfile = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const dependencies = Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies);

function stage(name: string): Stage {
  return dockerfile.stages.find((s) => s.name === name) ?? assert.fail(`no stage ${name}`);
}

/** `tsc -p <project> --outDir <outDir>`: the compile the Dockerfile's RUN line does, into a temp dir. */
function compile(project: string, outDir: string): void {
  const res = spawnSync(process.execPath, [TSC, "-p", project, "--outDir", outDir], { cwd: ROOT, encoding: "utf8" });
  assert.equal(res.status, 0, `tsc -p ${project}: ${res.stdout}${res.stderr}`);
}

async function ensureModule(): Promise<void> {
  if (existsSync(MODULE)) return;
  const build = (await import(new URL("../../wasm-filter/scripts/build.mjs", import.meta.url).href)) as {
    buildEntry: (e: { name: string; source: string; output: string }) => Promise<string>;
  };
  await build.buildEntry({ name: "modelguard", source: "assembly/index.ts", output: "build/modelguard.wasm" });
}

describe("the runtime images' layouts, rebuilt from the Dockerfile", () => {
  let tmp = "";
  let resolve: SourceResolver = () => assert.fail("before() did not run");

  before(async () => {
    await ensureModule();
    tmp = mkdtempSync(join(tmpdir(), "mg-image-layout-"));
    // What the build stages produce: dist/ from tsconfig.build.json (npm run build) and, in
    // e2e-build, dist/test from tsconfig.images.json. Everything else is this checkout's file.
    const buildDist = join(tmp, "build/dist");
    const e2eDist = join(tmp, "e2e-build/dist");
    compile("tsconfig.build.json", buildDist);
    compile("test/e2e-kind/tsconfig.images.json", e2eDist);
    resolve = (from, path) => {
      if (path === "dist" || path.startsWith("dist/")) return join(from === "e2e-build" ? e2eDist : buildDist, path.slice("dist".length));
      return join(ROOT, path);
    };
  });

  after(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
  });

  /** Lays a target out under a fresh root; returns the root and the ENTRYPOINT's script on disk. */
  function image(target: string): { root: string; script: string; args: string[] } {
    const root = join(tmp, `${target}-image`);
    layOut(dockerfile, stage(target), root, resolve);
    const entry = execForm(last(stage(target), "ENTRYPOINT") ?? assert.fail(`${target} has no ENTRYPOINT`));
    assert.equal(entry.length, 2, `${target}: ENTRYPOINT is [node, script]`);
    const script = hostPath(root, entry[1] ?? "");
    assert.ok(existsSync(script), `${target}: the ENTRYPOINT's ${entry[1]} is in the image`);
    const cmd = last(stage(target), "CMD");
    return { root, script, args: cmd ? execForm(cmd) : [] };
  }

  it("operator: the CLI runs from the image's paths, finds the filter module and pins its sha256", () => {
    const { script, args } = image("operator");
    const help = spawnSync(process.execPath, [script, ...args, "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: modelguard operator/);
    const render = spawnSync(process.execPath, [script, "render", "-f", join(ROOT, "examples/image-classifier.yaml")], { encoding: "utf8" });
    assert.equal(render.status, 0, render.stderr);
    assert.doesNotMatch(render.stderr, /not found/, "the CLI found the module where the image puts it");
    const plugin = parseAllDocuments(render.stdout)
      .map((d) => d.toJS() as { kind?: string; spec?: { sha256?: string; url?: string } })
      .find((o) => o.kind === "WasmPlugin");
    const sha = createHash("sha256").update(readFileSync(MODULE)).digest("hex");
    assert.equal(plugin?.spec?.sha256, sha, "the WasmPlugin pins the module inside the image");
    assert.ok(plugin?.spec?.url?.endsWith(`/wasm/${sha}.wasm`), plugin?.spec?.url);
  });

  it("operator: the compiled code imports production dependencies and node built-ins only", () => {
    const imported = bareImports(join(tmp, "build/dist"));
    assert.ok(imported.has("@kubernetes/client-node"), [...imported].join(" "));
    assert.deepEqual([...imported].filter((p) => !dependencies.includes(p)), [], "devDependencies npm ci --omit=dev leaves out");
  });

  it("model-server: serves with no node_modules anywhere (node built-ins only)", async () => {
    const { root, script } = image("model-server");
    for (let dir = root; dir !== parse(dir).root; dir = dirname(dir)) {
      assert.ok(!existsSync(join(dir, "node_modules")), `${dir}/node_modules would hide a missing dependency`);
    }
    assert.deepEqual([...bareImports(dirname(script))], []);
    const port = await freePort();
    // Kubernetes `args` replace the image's CMD; the port must be a free one here.
    const server = startProcess("model-server-image", process.execPath, [script, "--host", "127.0.0.1", "--port", String(port)]);
    try {
      const ready = await pollUntil(
        async () => {
          const res = await httpRequest(`http://127.0.0.1:${port}/v2/health/ready`, { timeoutMs: 2000 });
          return res.status === 200 ? res : undefined;
        },
        { what: "the model server image's entry point to answer", timeoutMs: 15_000 },
      ).catch((err: unknown) => assert.fail(`${err instanceof Error ? err.message : String(err)}\n${server.output()}`));
      assert.deepEqual(JSON.parse(ready.body), { live: true, ready: true });
    } finally {
      await server.stop();
    }
    assert.equal(await server.exited, 0, `SIGTERM stops it cleanly: ${server.output()}`);
  });

  it("e2e-client: the traffic runner loads from the image's paths, importing production dependencies only", () => {
    const { script } = image("e2e-client");
    const imported = bareImports(join(tmp, "e2e-build/dist/test"));
    assert.ok(imported.has("jose"), [...imported].join(" "));
    assert.deepEqual([...imported].filter((p) => !dependencies.includes(p)), []);
    const res = spawnSync(process.execPath, [script], { encoding: "utf8" });
    assert.equal(res.status, 2, `${res.stdout}${res.stderr}`);
    assert.match(res.stderr, /^usage: traffic\.js --as caller\|stranger/);
  });
});
