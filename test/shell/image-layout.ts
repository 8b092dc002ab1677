// Rebuilds a runtime image's file tree on disk without Docker: each `COPY --from=<stage>` of the
// stage is replayed from where that stage's file really is on this machine, so a test can run the
// image's ENTRYPOINT from the same paths the image has.
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, posix } from "node:path";
import { copies, last } from "./dockerfile.js";
import type { Dockerfile, Stage } from "./dockerfile.js";

/** Maps a path inside a build stage's WORKDIR (e.g. `dist/x.js`) to a file or folder here. */
export type SourceResolver = (stage: string, pathInWorkdir: string) => string;

/** A path inside the image → where it is in the rebuilt tree. */
export const hostPath = (imageRoot: string, pathInImage: string): string => join(imageRoot, pathInImage);

/**
 * Replays the COPY lines of `stage` under `imageRoot`. node_modules folders are linked, not copied.
 * Returns the stage's WORKDIR.
 */
export function layOut(file: Dockerfile, stage: Stage, imageRoot: string, resolve: SourceResolver): string {
  const workdir = last(stage, "WORKDIR")?.args ?? "/";
  for (const c of copies(stage)) {
    if (c.from === undefined) throw new Error(`line ${c.line}: the runtime stage ${stage.name} copies from the build context`);
    const from = file.stages.find((s) => s.name === c.from);
    if (from === undefined) throw new Error(`line ${c.line}: no stage ${c.from}`);
    const fromWorkdir = workdir0(file, from);
    if (c.sources.length !== 1) throw new Error(`line ${c.line}: one source per COPY, please`);
    const inStage = posix.relative(fromWorkdir, posix.resolve(fromWorkdir, c.sources[0] ?? ""));
    const target = hostPath(imageRoot, posix.resolve(workdir, c.dest));
    const source = resolve(c.from, inStage);
    mkdirSync(dirname(target), { recursive: true });
    if (posix.basename(inStage) === "node_modules") symlinkSync(source, target, "dir");
    else cpSync(source, target, { recursive: true });
  }
  return workdir;
}

/** A stage's WORKDIR, following `FROM <stage>` chains (a stage inherits its base's WORKDIR). */
function workdir0(file: Dockerfile, stage: Stage): string {
  const own = last(stage, "WORKDIR")?.args;
  if (own !== undefined) return own;
  const base = file.stages.find((s) => s.name === stage.from.toLowerCase());
  return base !== undefined ? workdir0(file, base) : "/";
}

/** Packages the .js files under `dir` import by bare name (node built-ins left out). */
export function bareImports(dir: string): Set<string> {
  const packages = new Set<string>();
  const visit = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (name.endsWith(".js")) {
        const text = readFileSync(path, "utf8");
        for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)["']([^"']+)["']/gm)) {
          const spec = m[1] ?? "";
          if (spec.startsWith(".") || spec.startsWith("/") || isBuiltin(spec)) continue;
          const parts = spec.split("/");
          packages.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec));
        }
      }
    }
  };
  visit(dir);
  return packages;
}
