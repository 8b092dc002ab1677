// Shared by the checks*.test.ts files and bench/checks-bench.ts: compiles
// assembly/unit/checks-entry.ts with the asc Node API (incremental runtime,
// release optimisation) and wraps its exports in typed helpers.
//
// The compile runs in a plain `node` child (importing asc under tsx's loader
// costs ~5 s) and its output is cached in build/unit/ under a hash of the sources
// in assembly/{unit,checks,util}, the compiler version and the flags, so test files after
// the first reuse it; a changed source gives a new file name. Writes are atomic
// (temp file + rename), so parallel test processes are safe.
//
// The entry is compiled with baseDir = assembly/ so the filter's asconfig.json
// (which routes abort to proxy_log) is not picked up; `env.abort` is provided here
// and throws, so any abort or trap surfaces as a JS exception in the caller.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { instantiateUnit, mulberry32 } from "./support/unit-wasm.js";

const assemblyDir = join(dirname(fileURLToPath(import.meta.url)), "..", "assembly");

export const UrlVerdict = { Ok: 0, Malformed: 1, SchemeDenied: 2, HostDenied: 3, PrivateAddress: 4 } as const;
export const ImageVerdict = { Ok: 0, Malformed: 1, FormatDenied: 2, TooLarge: 3, DimensionsExceeded: 4 } as const;
export const ImageFormat = { Unknown: 0, Png: 1, Jpeg: 2, Gif: 3, Webp: 4, Other: 5 } as const;
export type UrlVerdictName = keyof typeof UrlVerdict;
export type ImageVerdictName = keyof typeof ImageVerdict;

export const urlVerdictName = (code: number): string =>
  (Object.keys(UrlVerdict) as UrlVerdictName[]).find((k) => UrlVerdict[k] === code) ?? `code ${code}`;
export const imageVerdictName = (code: number): string =>
  (Object.keys(ImageVerdict) as ImageVerdictName[]).find((k) => ImageVerdict[k] === code) ?? `code ${code}`;

export interface UrlPolicySpec {
  schemes?: string[];
  hosts?: string[];
  denyPrivate: boolean;
}

export interface ImagePolicySpec {
  formats?: string[];
  maxBytes?: number;
  maxWidth?: number;
  maxHeight?: number;
  maxPixels?: number;
}

export const GlobKind = { Match: 0, MatchFold: 1, ContainsFold: 2, Host: 3 } as const;

interface Exports {
  memory: WebAssembly.Memory;
  alloc(len: number): number;
  out_ptr(): number;
  set_url_policy(id: number, len: number): void;
  set_image_policy(id: number, len: number): void;
  check_url(len: number, policy: number): number;
  url_host(len: number): number;
  url_port(len: number): number;
  check_image(len: number, policy: number): number;
  image_info(len: number, policy: number): number;
  glob(len: number, kind: number): number;
  b64_length(len: number): number;
  b64_valid(len: number): number;
  b64_decode(len: number, max: number): number;
  b64_prefix(len: number, n: number): number;
  prepare(len: number): void;
  check_url_prepared(policy: number): number;
  check_image_prepared(policy: number): number;
}

const wasmFilterDir = join(assemblyDir, "..");
const repoRoot = join(wasmFilterDir, "..");
const ASC_FLAGS = ["--runtime", "incremental", "-O3", "--shrinkLevel", "0"];

// Runs in the child: argv = [assemblyDir, output path, ...flags].
const COMPILE_SCRIPT = `
import asc from "assemblyscript/asc";
import { renameSync, writeFileSync } from "node:fs";
const [assemblyDir, out, ...flags] = process.argv.slice(1);
let binary;
let diagnostics = "";
const sink = { write: (chunk) => { diagnostics += String(chunk); return true; } };
const { error } = await asc.main(["unit/checks-entry.ts", "--baseDir", assemblyDir, ...flags, "--outFile", "checks.wasm"], {
  stdout: sink,
  stderr: sink,
  writeFile: (name, contents) => { if (name.endsWith(".wasm")) binary = contents; },
});
if (error || !binary) { process.stderr.write((error ? error.message : "no binary") + "\\n" + diagnostics); process.exit(1); }
const tmp = out + ".tmp-" + process.pid;
writeFileSync(tmp, binary);
renameSync(tmp, out);
`;

function sourceHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) hash.update(relative(assemblyDir, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  // What the entry can import: itself, the checks and the utilities.
  for (const dir of ["unit", "checks", "util"]) if (existsSync(join(assemblyDir, dir))) walk(join(assemblyDir, dir));
  hash.update(readFileSync(join(repoRoot, "node_modules", "assemblyscript", "package.json")));
  hash.update(ASC_FLAGS.join(" "));
  return hash.digest("hex").slice(0, 16);
}

let compiled: Uint8Array | undefined;

/** The compiled entry: from the build/unit cache, or compiled now (once per process). */
export function compileChecks(): Uint8Array {
  if (compiled) return compiled;
  const out = join(wasmFilterDir, "build", "unit", `checks-${sourceHash()}.wasm`);
  if (!existsSync(out)) {
    mkdirSync(dirname(out), { recursive: true });
    const res = spawnSync(process.execPath, ["--input-type=module", "-e", COMPILE_SCRIPT, assemblyDir, out, ...ASC_FLAGS], { cwd: repoRoot, encoding: "utf8" });
    if (res.status !== 0 || !existsSync(out)) throw new Error(`asc failed for unit/checks-entry.ts:\n${res.stdout}${res.stderr}`);
  }
  compiled = new Uint8Array(readFileSync(out));
  return compiled;
}

export class ChecksWasm {
  private readonly ex: Exports;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  private constructor(instance: WebAssembly.Instance) {
    this.ex = instance.exports as unknown as Exports;
  }

  static async load(): Promise<ChecksWasm> {
    return new ChecksWasm(instantiateUnit(compileChecks()));
  }

  /** Current linear memory size in 64 KiB pages. */
  pages(): number {
    return this.ex.memory.buffer.byteLength / 65536;
  }

  private put(data: string | Uint8Array): number {
    const bytes = typeof data === "string" ? this.encoder.encode(data) : data;
    const ptr = this.ex.alloc(bytes.length);
    new Uint8Array(this.ex.memory.buffer, ptr, bytes.length).set(bytes);
    return bytes.length;
  }

  private out(len: number): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer, this.ex.out_ptr(), len).slice();
  }

  setUrlPolicy(id: number, spec: UrlPolicySpec): void {
    const text = [`schemes=${(spec.schemes ?? []).join(",")}`, `hosts=${(spec.hosts ?? []).join(",")}`, `private=${spec.denyPrivate ? 1 : 0}`].join("\n");
    this.ex.set_url_policy(id, this.put(text));
  }

  setImagePolicy(id: number, spec: ImagePolicySpec): void {
    const text = [
      `formats=${(spec.formats ?? []).join(",")}`,
      `maxBytes=${spec.maxBytes ?? 0}`,
      `maxWidth=${spec.maxWidth ?? 0}`,
      `maxHeight=${spec.maxHeight ?? 0}`,
      `maxPixels=${spec.maxPixels ?? 0}`,
    ].join("\n");
    this.ex.set_image_policy(id, this.put(text));
  }

  checkUrl(url: string | Uint8Array, policy: number): number {
    return this.ex.check_url(this.put(url), policy);
  }

  /** The canonical host, or null when the URL does not parse. */
  urlHost(url: string | Uint8Array): string | null {
    const n = this.ex.url_host(this.put(url));
    return n < 0 ? null : this.decoder.decode(this.out(n));
  }

  urlPort(url: string): number {
    return this.ex.url_port(this.put(url));
  }

  checkImage(data: string | Uint8Array, policy: number): number {
    return this.ex.check_image(this.put(data), policy);
  }

  imageInfo(data: string, policy: number): { verdict: number; width: number; height: number; format: number; decodedBytes: number } {
    const verdict = this.ex.image_info(this.put(data), policy);
    const view = new DataView(this.ex.memory.buffer, this.ex.out_ptr(), 32);
    return {
      verdict,
      width: view.getFloat64(0, true),
      height: view.getFloat64(8, true),
      format: view.getFloat64(16, true),
      decodedBytes: view.getFloat64(24, true),
    };
  }

  glob(kind: number, pattern: string, text: string): boolean {
    const r = this.ex.glob(this.put(`${pattern}\0${text}`), kind);
    if (r < 0) throw new Error(`glob: bad call (${r})`);
    return r === 1;
  }

  b64Length(s: string | Uint8Array): number {
    return this.ex.b64_length(this.put(s));
  }

  b64Valid(s: string | Uint8Array): boolean {
    return this.ex.b64_valid(this.put(s)) === 1;
  }

  b64Decode(s: string | Uint8Array, max: number): Uint8Array | null {
    const n = this.ex.b64_decode(this.put(s), max);
    return n < 0 ? null : this.out(n);
  }

  b64Prefix(s: string | Uint8Array, count: number): Uint8Array | null {
    const n = this.ex.b64_prefix(this.put(s), count);
    return n < 0 ? null : this.out(n);
  }

  /** Bench: decode the input once. */
  prepare(s: string): void {
    this.ex.prepare(this.put(s));
  }

  checkUrlPrepared(policy: number): number {
    return this.ex.check_url_prepared(policy);
  }

  checkImagePrepared(policy: number): number {
    return this.ex.check_image_prepared(policy);
  }
}

/** Small deterministic PRNG for fuzzing. */
export const prng = mulberry32;
