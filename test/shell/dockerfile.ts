// Just enough of a Dockerfile reader for the image tests: stages, instructions, ARG defaults,
// exec-form arrays, COPY and LABEL arguments, and .dockerignore patterns.

export interface Instruction {
  /** Upper-case keyword, e.g. COPY. */
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Stage {
  /** The FROM argument as written, e.g. `node:20.20.2-bookworm-slim${NODE_DIGEST}`. */
  from: string;
  /** The `AS` name (lower-case), or the stage index as a string. */
  name: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults ("" when none). */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

/** Splits a Dockerfile into instructions: comments and blank lines dropped, `\` continuations joined. */
export function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === undefined && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    if (pending !== undefined && line.trimStart().startsWith("#")) return; // comments inside a continuation
    const continued = line.endsWith("\\");
    const body = continued ? line.slice(0, -1) : line;
    pending = pending === undefined ? { text: body.trim(), line: i + 1 } : { text: `${pending.text} ${body.trim()}`, line: pending.line };
    if (continued) return;
    const m = /^(\S+)\s*(.*)$/.exec(pending.text);
    if (m?.[1] !== undefined) out.push({ keyword: m[1].toUpperCase(), args: (m[2] ?? "").trim(), line: pending.line });
    pending = undefined;
  });
  return out;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (m?.[1] === undefined) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ from: m[1], name: (m[2] ?? String(stages.length)).toLowerCase(), instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage !== undefined) stage.instructions.push(ins);
    else if (ins.keyword === "ARG") {
      const [name, value] = splitArg(ins.args);
      globalArgs.set(name, value);
    } else throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
  }
  return { globalArgs, stages };
}

/** `NAME=default` (quotes removed) or `NAME`. */
export function splitArg(args: string): [string, string] {
  const eq = args.indexOf("=");
  if (eq < 0) return [args.trim(), ""];
  return [args.slice(0, eq).trim(), unquote(args.slice(eq + 1).trim())];
}

const unquote = (s: string): string => (/^".*"$/.test(s) || /^'.*'$/.test(s) ? s.slice(1, -1) : s);

/** Replaces `${NAME}` and `$NAME` with values from `vars` (unknown names expand to ""). */
export function expand(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, b: string | undefined) => vars.get(a ?? b ?? "") ?? "");
}

/** The stage's ARG defaults, for expanding its own instructions. */
export function stageArgs(stage: Stage): Map<string, string> {
  const vars = new Map<string, string>();
  for (const ins of stage.instructions) {
    if (ins.keyword === "ARG") {
      const [name, value] = splitArg(ins.args);
      vars.set(name, value);
    }
  }
  return vars;
}

/** The exec-form (JSON array) argument of ENTRYPOINT or CMD. */
export function execForm(ins: Instruction): string[] {
  const value: unknown = JSON.parse(ins.args);
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`line ${ins.line}: ${ins.keyword} is not in exec form`);
  return value as string[];
}

export interface Copy {
  /** --from=<stage>, when set. */
  from?: string;
  sources: string[];
  dest: string;
  line: number;
}

export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === "COPY")
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith("--"));
      const paths = words.filter((w) => !w.startsWith("--"));
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
      const dest = paths.pop();
      if (dest === undefined || paths.length === 0) throw new Error(`line ${i.line}: COPY needs a source and a destination`);
      return { ...(from !== undefined ? { from: from.toLowerCase() } : {}), sources: paths, dest, line: i.line };
    });
}

/** LABEL key="value" pairs of a stage, with the stage's ARG defaults expanded. */
export function labels(stage: Stage): Map<string, string> {
  const vars = stageArgs(stage);
  const out = new Map<string, string>();
  for (const ins of stage.instructions.filter((i) => i.keyword === "LABEL")) {
    for (const m of ins.args.matchAll(/([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
      if (m[1] !== undefined && m[2] !== undefined) out.set(m[1], expand(unquote(m[2]), vars));
    }
  }
  return out;
}

/** The last value of a single-valued instruction in a stage (USER, WORKDIR, ENTRYPOINT, CMD). */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).pop();
}

/** Whether a .dockerignore excludes a context path (Go filepath.Match globs plus `**`, later `!` lines re-include). */
export function dockerignored(patterns: readonly string[], path: string): boolean {
  let excluded = false;
  for (const raw of patterns) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, "");
    if (globRegExp(pattern).test(path)) excluded = !negate;
  }
  return excluded;
}

/** A pattern matches a path or any of its parent directories, as Docker's does. */
function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    if (c === "*" && pattern[i + 1] === "*") {
      re += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}
