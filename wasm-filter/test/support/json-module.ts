// Shared by the json*.test.ts files and bench/json-bench.ts: compiles
// assembly/json/test-entry.ts with the asc Node API (incremental runtime, -O3, output kept
// in memory so parallel runs never share a file) and wraps its exports in typed helpers.
//
// The entry is compiled with baseDir = assembly/ so the filter's asconfig.json (which routes
// abort to proxy_log) is not picked up; `env.abort` is provided here and throws, so any abort
// or trap surfaces as a JS exception in the caller.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { instantiateUnit } from "./unit-wasm.js";

const assemblyDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "assembly");

/** Mirrors `JsonError` in assembly/json/errors.ts. */
export const JsonError = {
  None: 0,
  Malformed: 1,
  TooDeep: 2,
  StringTooLong: 3,
  ArrayTooLong: 4,
  TooManyKeys: 5,
  TooManyValues: 6,
  DuplicateKey: 7,
  NumberOutOfRange: 8,
} as const;
export type JsonErrorName = keyof typeof JsonError;

/** Negative codes of the test entry. */
export const EntryCode = { BadPath: -1, RoundtripMismatch: -2, BadDocument: -3, BadValue: -4 } as const;

export function jsonErrorName(code: number): string {
  const names = Object.keys(JsonError) as JsonErrorName[];
  const found = names.find((k) => JsonError[k] === code);
  if (found) return found;
  const entry = (Object.keys(EntryCode) as (keyof typeof EntryCode)[]).find((k) => EntryCode[k] === code);
  return entry ?? `code ${code}`;
}

export interface Limits {
  maxDepth: number;
  maxStringLength: number;
  maxArrayLength: number;
  maxObjectKeys: number;
  maxTotalValues: number;
}

/** What the library uses when the caller passes `new JsonLimits()`. */
export const DEFAULT_LIMITS: Limits = {
  maxDepth: 64,
  maxStringLength: 1 << 20,
  maxArrayLength: 100_000,
  maxObjectKeys: 1_000,
  maxTotalValues: 0,
};

export const GENEROUS_LIMITS: Limits = {
  maxDepth: 1024,
  maxStringLength: 2 ** 30,
  maxArrayLength: 2 ** 30,
  maxObjectKeys: 2 ** 30,
  maxTotalValues: 0,
};

interface Exports {
  memory: WebAssembly.Memory;
  alloc(slot: number, length: number): number;
  outputPtr(): number;
  outputLen(): number;
  offset(): number;
  number(): number;
  parse(length: number, maxDepth: number, maxString: number, maxArray: number, maxKeys: number, maxTotal: number): number;
  parseDefault(length: number): number;
  parseAndSerialize(length: number): number;
  roundtrip(length: number): number;
  roundtripString(length: number): number;
  parseNumber(length: number): number;
  serializeNumber(x: number): void;
  serializeText(length: number, raw: number): void;
  compile(pathLength: number): number;
  selectPath(length: number, pathLength: number): number;
  removePath(length: number, pathLength: number): number;
  replacePath(length: number, pathLength: number, valueLength: number): number;
  edit(op: number, length: number, keyLength: number, valueLength: number, arg: number): number;
  describe(length: number, keyLength: number): number;
}

export const EditOp = { Set: 0, Remove: 1, Push: 2, Truncate: 3, SetAt: 4, RemoveIndex: 5 } as const;

let compiled: Promise<Uint8Array> | undefined;

/** Compiles the entry once per process. */
export function compileJsonEntry(): Promise<Uint8Array> {
  compiled ??= (async () => {
    let binary: Uint8Array | undefined;
    let diagnostics = "";
    const sink = {
      write: (chunk: Uint8Array | string): boolean => {
        diagnostics += String(chunk);
        return true;
      },
    };
    const { error } = await asc.main(
      ["json/test-entry.ts", "--baseDir", assemblyDir, "--runtime", "incremental", "-O3", "--shrinkLevel", "0", "--outFile", "json-test.wasm"],
      {
        stdout: sink,
        stderr: sink,
        writeFile: (name: string, contents: Uint8Array | string) => {
          if (name.endsWith(".wasm") && typeof contents !== "string") binary = contents;
        },
      },
    );
    if (error) throw new Error(`asc failed: ${error.message}\n${diagnostics}`);
    if (!binary) throw new Error(`asc produced no binary\n${diagnostics}`);
    return binary;
  })();
  return compiled;
}

export interface ParseOutcome {
  error: number;
  offset: number;
}

export class JsonWasm {
  private readonly ex: Exports;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  private constructor(instance: WebAssembly.Instance) {
    this.ex = instance.exports as unknown as Exports;
  }

  static async load(): Promise<JsonWasm> {
    return new JsonWasm(instantiateUnit(await compileJsonEntry()));
  }

  /** Current linear memory size in 64 KiB pages. */
  pages(): number {
    return this.ex.memory.buffer.byteLength / 65536;
  }

  /** Copies `data` into input slot `slot`; returns its length in bytes. */
  put(slot: number, data: string | Uint8Array): number {
    const bytes = typeof data === "string" ? this.encoder.encode(data) : data;
    const ptr = this.ex.alloc(slot, bytes.length);
    new Uint8Array(this.ex.memory.buffer, ptr, bytes.length).set(bytes);
    return bytes.length;
  }

  /** A copy of the output buffer. */
  outputBytes(): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer, this.ex.outputPtr(), this.ex.outputLen()).slice();
  }

  output(): string {
    return this.decoder.decode(this.outputBytes());
  }

  parse(doc: string | Uint8Array, limits: Limits = DEFAULT_LIMITS): ParseOutcome {
    const n = this.put(0, doc);
    const error = this.ex.parse(n, limits.maxDepth, limits.maxStringLength, limits.maxArrayLength, limits.maxObjectKeys, limits.maxTotalValues);
    return { error, offset: this.ex.offset() };
  }

  /** Parses the document already in slot 0 with the default limits (bench). */
  parseLoaded(length: number): number {
    return this.ex.parseDefault(length);
  }

  /** Parses and serializes the document already in slot 0 (bench). */
  parseAndSerializeLoaded(length: number): number {
    return this.ex.parseAndSerialize(length);
  }

  /** Parse (generous limits) → serialize → parse → compare in wasm. The text when it worked. */
  roundtrip(doc: string | Uint8Array): { error: number; text: string | null } {
    const error = this.ex.roundtrip(this.put(0, doc));
    return { error, text: error === JsonError.None ? this.output() : null };
  }

  /** Like roundtrip, through parseJsonString (no second parse). */
  roundtripString(doc: string): { error: number; text: string | null } {
    const error = this.ex.roundtripString(this.put(0, doc));
    return { error, text: error === JsonError.None ? this.output() : null };
  }

  /** The f64 of a one-number document, or the error code as `error`. */
  parseNumber(doc: string): { error: number; value: number } {
    const error = this.ex.parseNumber(this.put(0, doc));
    return { error, value: error === JsonError.None ? this.ex.number() : NaN };
  }

  serializeNumber(x: number): string {
    this.ex.serializeNumber(x);
    return this.output();
  }

  /** Serializes a JS string (as raw UTF-16, so lone surrogates reach the library). */
  serializeString(s: string): string {
    const units = new Uint8Array(s.length * 2);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      units[2 * i] = c & 0xff;
      units[2 * i + 1] = c >> 8;
    }
    this.ex.serializeText(this.put(1, units), 1);
    return this.output();
  }

  /** Step count of a compiled path, or -1 when it does not compile. */
  compilePath(path: string): number {
    return this.ex.compile(this.put(1, path));
  }

  /** Matches as a JSON array text, with the count (or a negative entry code). */
  select(doc: string, path: string): { count: number; matches: string | null } {
    const n = this.put(0, doc);
    const count = this.ex.selectPath(n, this.put(1, path));
    return { count, matches: count >= 0 ? this.output() : null };
  }

  remove(doc: string, path: string): { count: number; doc: string | null } {
    const n = this.put(0, doc);
    const count = this.ex.removePath(n, this.put(1, path));
    return { count, doc: count >= 0 ? this.output() : null };
  }

  replace(doc: string, path: string, value: string): { count: number; doc: string | null } {
    const n = this.put(0, doc);
    const p = this.put(1, path);
    const count = this.ex.replacePath(n, p, this.put(2, value));
    return { count, doc: count >= 0 ? this.output() : null };
  }

  edit(op: number, doc: string, key: string, value: string, arg = 0): { result: number; doc: string } {
    const n = this.put(0, doc);
    const k = this.put(1, key);
    const result = this.ex.edit(op, n, k, this.put(2, value), arg);
    return { result, doc: this.output() };
  }

  describe(doc: string, key: string): Record<string, unknown> {
    const n = this.put(0, doc);
    const code = this.ex.describe(n, this.put(1, key));
    if (code !== 0) throw new Error(`describe: ${jsonErrorName(code)}`);
    return JSON.parse(this.output()) as Record<string, unknown>;
  }
}
