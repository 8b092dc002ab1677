// A growable byte buffer for bodies and configurations, with Envoy's
// proxy_set_buffer_bytes rules: start 0 drains `size` bytes then prepends,
// start >= length appends, anything in between is BadArgument (Envoy does not
// splice into the middle even though the spec would allow it).
import { WasmResult } from "./abi.js";

const NONE = new Uint8Array(0);

export class ByteBuffer {
  // Storage is allocated on first write: most streams never carry a body.
  private data: Uint8Array = NONE;
  private used = 0;

  constructor(initial?: Uint8Array) {
    if (initial) this.append(initial);
  }

  get length(): number {
    return this.used;
  }

  /** A view of the contents; valid until the next mutation. */
  view(): Uint8Array {
    return this.data.subarray(0, this.used);
  }

  /** A copy of the contents. */
  copy(): Uint8Array {
    return this.data.slice(0, this.used);
  }

  clear(): void {
    this.used = 0;
  }

  set(bytes: Uint8Array): void {
    this.used = 0;
    this.append(bytes);
  }

  append(bytes: Uint8Array): void {
    this.reserve(this.used + bytes.byteLength);
    this.data.set(bytes, this.used);
    this.used += bytes.byteLength;
  }

  /** proxy_get_buffer_bytes: up to `max` bytes from `start` (Envoy computes in 64 bits, so no overflow for 32-bit words). */
  slice(start: number, max: number): Uint8Array {
    if (start >= this.used) return this.data.subarray(0, 0);
    return this.data.subarray(start, Math.min(this.used, start + max));
  }

  /** proxy_set_buffer_bytes. */
  replace(start: number, size: number, bytes: Uint8Array): WasmResult {
    if (start === 0) {
      const keep = this.data.slice(Math.min(size, this.used), this.used);
      this.used = 0;
      this.append(bytes);
      this.append(keep);
      return WasmResult.Ok;
    }
    if (start >= this.used) {
      this.append(bytes);
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  private reserve(capacity: number): void {
    if (capacity <= this.data.byteLength) return;
    const grown = new Uint8Array(Math.max(capacity, this.data.byteLength * 2, 64));
    grown.set(this.data.subarray(0, this.used));
    this.data = grown;
  }
}
