// Shared by the tests that drive AssemblyScript test entries directly (not through the proxy-wasm
// host): instantiation with an `env.abort` that reports the guest's message, and a seeded PRNG.

/** Instantiates a unit-test module; a guest abort becomes a JS error with the guest's message. */
export function instantiateUnit(bytes: Uint8Array): WebAssembly.Instance {
  const module = new WebAssembly.Module(bytes);
  const memoryRef: { memory?: WebAssembly.Memory } = {};
  const readString = (ptr: number): string => {
    const mem = memoryRef.memory;
    if (!mem || ptr === 0) return "?";
    const len = new DataView(mem.buffer).getUint32(ptr - 4, true);
    return Buffer.from(mem.buffer, ptr, len).toString("utf16le");
  };
  const imports: WebAssembly.Imports = {
    env: {
      abort: (msg: number, file: number, line: number, col: number) => {
        throw new Error(`wasm abort: ${readString(msg)} at ${readString(file)}:${line}:${col}`);
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  memoryRef.memory = instance.exports.memory as WebAssembly.Memory;
  return instance;
}

/** mulberry32: a small, fast, seedable PRNG returning [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
