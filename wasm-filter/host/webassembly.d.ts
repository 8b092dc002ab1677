// The slice of the WebAssembly JS API the host uses. The project's tsconfig has
// no "dom" lib and @types/node 20 does not declare WebAssembly, so it is
// declared here, matching lib.dom.d.ts. Delete this file if "dom" is ever added.
declare namespace WebAssembly {
  type ImportValue = ((...args: never[]) => unknown) | Memory | number;
  type Imports = Record<string, Record<string, ImportValue>>;
  type Exports = Record<string, unknown>;
  type ImportExportKind = "function" | "global" | "memory" | "table" | "tag";

  interface ModuleImportDescriptor {
    kind: ImportExportKind;
    module: string;
    name: string;
  }

  interface ModuleExportDescriptor {
    kind: ImportExportKind;
    name: string;
  }

  class Module {
    constructor(bytes: BufferSource);
    static imports(module: Module): ModuleImportDescriptor[];
    static exports(module: Module): ModuleExportDescriptor[];
  }

  class Instance {
    constructor(module: Module, importObject?: Imports);
    readonly exports: Exports;
  }

  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }

  class RuntimeError extends Error {}
  class CompileError extends Error {}
  class LinkError extends Error {}

  type BufferSource = ArrayBufferView | ArrayBuffer;
}
