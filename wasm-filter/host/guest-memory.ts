// The guest's linear memory as the hostcalls see it. Views are rebuilt after
// growth (growing detaches the old buffer). Every access is bounds-checked so a
// bad pointer becomes InvalidMemoryAccess, as the spec asks, not a host crash.
import { WasmResult } from "./abi.js";
import { readUtf8, utf8Length, writeUtf8 } from "./codec.js";

export type Allocate = (size: number) => number;

export class GuestMemory {
  private u8: Uint8Array;
  private view: DataView;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly allocate: Allocate,
  ) {
    this.u8 = new Uint8Array(memory.buffer);
    this.view = new DataView(memory.buffer);
  }

  get pages(): number {
    return this.memory.buffer.byteLength / 65536;
  }

  bytes(): Uint8Array {
    if (this.u8.byteLength === 0) this.refresh();
    return this.u8;
  }

  private refresh(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.view = new DataView(this.memory.buffer);
  }

  inBounds(ptr: number, size: number): boolean {
    return ptr >= 0 && size >= 0 && ptr + size <= this.bytes().byteLength;
  }

  /** A copy of guest bytes, or null when out of bounds. */
  readBytes(ptr: number, size: number): Uint8Array | null {
    if (!this.inBounds(ptr, size)) return null;
    return this.u8.slice(ptr, ptr + size);
  }

  readString(ptr: number, size: number): string | null {
    if (!this.inBounds(ptr, size)) return null;
    return readUtf8(this.u8, ptr, size);
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.inBounds(ptr, 4)) return false;
    this.view.setUint32(ptr, value >>> 0, true);
    return true;
  }

  writeU64(ptr: number, value: bigint): boolean {
    if (!this.inBounds(ptr, 8)) return false;
    this.view.setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  readU32(ptr: number): number {
    return this.view.getUint32(ptr, true);
  }

  /** Allocates `size` bytes in the guest (0 for size 0) and returns the address, or -1 on failure. */
  alloc(size: number): number {
    if (size === 0) return 0;
    const ptr = this.allocate(size) >>> 0;
    if (ptr === 0 || !this.inBounds(ptr, size)) return -1;
    return ptr;
  }

  /** Hands `data` to the guest through a (pointer, size) pair of return slots. */
  returnBytes(data: Uint8Array, ptrPtr: number, sizePtr: number): WasmResult {
    const ptr = this.alloc(data.byteLength);
    if (ptr < 0) return WasmResult.InvalidMemoryAccess;
    if (data.byteLength > 0) this.u8.set(data, ptr);
    return this.writeU32(ptrPtr, ptr) && this.writeU32(sizePtr, data.byteLength) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
  }

  returnString(text: string, ptrPtr: number, sizePtr: number): WasmResult {
    const length = utf8Length(text);
    const ptr = this.alloc(length);
    if (ptr < 0) return WasmResult.InvalidMemoryAccess;
    if (length > 0) writeUtf8(this.u8, ptr, text, length);
    return this.writeU32(ptrPtr, ptr) && this.writeU32(sizePtr, length) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
  }
}
