// Static checks of the Dockerfile and .dockerignore: what can be known without a Docker engine.
// (image-layout.test.ts rebuilds the images' file layouts and runs them.)
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { copies, dockerignored, execForm, expand, labels, last, parseDockerfile, stageArgs } from "./dockerfile.js";
import type { Stage } from "./dockerfile.js";
import { unpinnedReason } from "./image-pin.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const dockerfile = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  license: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

const RUNTIME_TARGETS = ["operator", "model-server", "e2e-client"];

function stage(name: string): Stage {
  const s = dockerfile.stages.find((st) => st.name === name);
  assert.ok(s, `the Dockerfile has a stage named ${name}`);
  return s;
}

const isStageName = (from: string) => dockerfile.stages.some((s) => s.name === from.toLowerCase());

/** The path an ENTRYPOINT/COPY destination has inside the image (relative ones start at WORKDIR). */
function inImage(st: Stage, path: string): string {
  return posix.resolve(last(st, "WORKDIR")?.args ?? "/", path);
}

describe("Dockerfile", () => {
  it("is multi-stage: builds apart from the runtime images, the operator being the default (last) target", () => {
    assert.ok(dockerfile.stages.length >= 4, `stages: ${dockerfile.stages.map((s) => s.name).join(", ")}`);
    assert.equal(dockerfile.stages.at(-1)?.name, "operator");
    const build = stage("build");
    assert.ok(build.instructions.some((i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args) && !/--omit=dev/.test(i.args)), "the build stage installs the lockfile's devDependencies");
    assert.ok(build.instructions.some((i) => i.keyword === "RUN" && /^npm run build$/.test(i.args)), "the build stage runs npm run build");
    assert.ok(stage("prod-deps").instructions.some((i) => i.keyword === "RUN" && /\bnpm ci\b.*--omit=dev/.test(i.args)), "runtime node_modules come from npm ci --omit=dev");
    for (const target of RUNTIME_TARGETS) {
      for (const c of copies(stage(target))) {
        assert.ok(c.from !== undefined && isStageName(c.from), `${target} (line ${c.line}) copies from a build stage, not from the context`);
      }
    }
  });

  it("pins every base image to an exact version (no latest, no major-only tag)", () => {
    for (const st of dockerfile.stages.filter((s) => !isStageName(s.from) || s.from.toLowerCase() === s.name)) {
      const ref = expand(st.from, dockerfile.globalArgs);
      assert.equal(unpinnedReason(st.from, ref), undefined, `FROM ${st.from} (${ref})`);
    }
  });

  it("the pinning rule refuses floating references", () => {
    const cases: [string, boolean][] = [
      ["node:20.20.2-bookworm-slim", true],
      [`node:20@sha256:${"a".repeat(64)}`, true],
      ["node", false],
      ["node:latest", false],
      ["node:20", false],
      ["node:20-bookworm-slim", false],
      ["node:20.20-bookworm-slim", false],
      ["gcr.io/distroless/nodejs20-debian12:nonroot", false],
      ["gcr.io/distroless/nodejs20-debian12:latest", false],
    ];
    for (const [ref, pinned] of cases) assert.equal(unpinnedReason(ref, ref) === undefined, pinned, ref);
    assert.equal(unpinnedReason("gcr.io/distroless/nodejs20-debian12:nonroot${RUNTIME_DIGEST}", "gcr.io/distroless/nodejs20-debian12:nonroot"), undefined);
  });

  it("every runtime image runs as a numeric non-root user", () => {
    for (const target of RUNTIME_TARGETS) {
      const user = last(stage(target), "USER")?.args;
      assert.match(user ?? "", /^\d+(:\d+)?$/, `${target}: USER ${user ?? "(none)"} must be numeric (kubelet checks runAsNonRoot on it)`);
      const [uid, gid] = (user ?? "").split(":").map(Number);
      assert.ok(uid !== 0 && gid !== 0, `${target}: USER ${user ?? ""} is root`);
    }
  });

  it("the operator's ENTRYPOINT is the CLI that npm run build compiles, with default args `operator`", () => {
    const op = stage("operator");
    const entry = execForm(last(op, "ENTRYPOINT") ?? assert.fail("no ENTRYPOINT"));
    assert.deepEqual(execForm(last(op, "CMD") ?? assert.fail("no CMD")), ["operator"]);
    assert.equal(entry.length, 2, "ENTRYPOINT is [node, script]");
    assert.equal(entry[0], "/nodejs/bin/node", "the distroless image's node");
    // package.json's bin is what `npm run build` produces (tsc -p tsconfig.build.json, outDir dist).
    assert.match(pkg.scripts.build ?? "", /build:ts/);
    assert.match(pkg.scripts["build:ts"] ?? "", /tsc -p tsconfig\.build\.json/);
    const bin = pkg.bin.modelguard ?? assert.fail("package.json has no bin.modelguard");
    assert.equal(entry[1], inImage(op, bin), "ENTRYPOINT runs package.json's bin");
    const build = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8")) as { compilerOptions: { outDir: string; rootDir: string } };
    const source = posix.join(build.compilerOptions.rootDir, posix.relative(build.compilerOptions.outDir, bin)).replace(/\.js$/, ".ts");
    assert.ok(existsSync(join(ROOT, source)), `${bin} is compiled from ${source}`);
    const include = (JSON.parse(readFileSync(join(ROOT, "tsconfig.build.json"), "utf8")) as { include: string[] }).include;
    assert.ok(include.some((glob) => source.startsWith(glob.split("*")[0] ?? "\u0000")), `tsconfig.build.json compiles ${source}`);
    const dist = copies(op).find((c) => c.sources.includes(`/src/${build.compilerOptions.outDir}`));
    assert.ok(dist?.from === "build" && inImage(op, dist.dest) === inImage(op, build.compilerOptions.outDir), "the operator image gets the build stage's dist/");
  });

  it("the operator image carries the filter module beside dist/, where the compiled CLI looks for it", () => {
    const op = stage("operator");
    const module = copies(op).find((c) => c.sources.includes("/src/wasm-filter/build/modelguard.wasm"));
    assert.ok(module?.from === "build", "the module comes from the build stage (npm run build → build:wasm)");
    assert.equal(inImage(op, module.dest), "/app/wasm-filter/build/modelguard.wasm");
    assert.match(pkg.scripts.build ?? "", /build:wasm/);
  });

  it("the model-server and e2e-client ENTRYPOINTs are files tsconfig.images.json compiles", () => {
    const dir = "test/e2e-kind";
    const images = JSON.parse(readFileSync(join(ROOT, dir, "tsconfig.images.json"), "utf8").replace(/^\s*\/\/.*$/gm, "")) as {
      files: string[];
      compilerOptions: { outDir: string; rootDir: string };
    };
    // tsc writes <outDir>/<path from rootDir>.js, both relative to the tsconfig's folder.
    const outDir = posix.join(dir, images.compilerOptions.outDir);
    const rootDir = posix.join(dir, images.compilerOptions.rootDir);
    const outputs = images.files.map((f) => posix.join(outDir, posix.relative(rootDir, posix.join(dir, f))).replace(/\.ts$/, ".js"));
    for (const target of ["model-server", "e2e-client"]) {
      const compiled = outputs.map((o) => inImage(stage(target), o));
      const entry = execForm(last(stage(target), "ENTRYPOINT") ?? assert.fail(`${target} has no ENTRYPOINT`));
      assert.ok(compiled.includes(entry[1] ?? ""), `${target}: ${entry[1]} is one of ${compiled.join(", ")}`);
      assert.ok(copies(stage(target)).some((c) => c.from === "e2e-build" && (entry[1] ?? "").startsWith(`${inImage(stage(target), c.dest)}/`)), `${target} copies its entry point from e2e-build`);
    }
    assert.ok(stage("e2e-build").instructions.some((i) => i.keyword === "RUN" && i.args.includes("tsconfig.images.json")));
  });

  it("every runtime image has OCI labels, the version being package.json's", () => {
    for (const target of RUNTIME_TARGETS) {
      const l = labels(stage(target));
      for (const key of ["title", "description", "source", "licenses", "version"]) {
        assert.ok((l.get(`org.opencontainers.image.${key}`) ?? "") !== "", `${target}: label org.opencontainers.image.${key}`);
      }
      assert.equal(l.get("org.opencontainers.image.version"), pkg.version, `${target}: ARG VERSION defaults to package.json's version`);
      assert.equal(l.get("org.opencontainers.image.licenses"), pkg.license);
    }
    assert.ok(labels(stage("operator")).has("org.opencontainers.image.revision"));
    assert.equal(stageArgs(stage("operator")).get("REVISION"), "unknown");
  });
});

describe(".dockerignore", () => {
  it("keeps host artefacts out of the build context: node_modules (at any depth), .git, build outputs", () => {
    for (const path of ["node_modules/jose/package.json", "wasm-filter/node_modules/x/index.js", ".git/HEAD", "dist/operator/src/cli/main.js", "wasm-filter/build/modelguard.wasm"]) {
      assert.ok(dockerignored(ignore, path), `${path} is excluded`);
    }
  });

  it("lets in everything the Dockerfile copies from the context", () => {
    const fromContext = dockerfile.stages.flatMap((s) => copies(s).filter((c) => c.from === undefined).flatMap((c) => c.sources));
    assert.ok(fromContext.length > 0);
    for (const source of [...fromContext, "operator/src/cli/main.ts", "wasm-filter/assembly/index.ts", "test/e2e-kind/traffic.ts"]) {
      assert.ok(!dockerignored(ignore, source.replace(/^\.\//, "")), `${source} reaches the build`);
      assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
    }
  });
});
