// Header-map serialization (spec "Serialization"): u32 count, then u32
// key/value sizes per pair, then each key and value followed by a NUL byte.
// Parsing checks every size against the block so malformed input yields what
// could be read instead of a trap.

export class HeaderPair {
  constructor(public key: string, public value: string) {}
}

export function serializePairs(pairs: HeaderPair[]): ArrayBuffer {
  const count = pairs.length;
  const keys = new Array<ArrayBuffer>(count);
  const values = new Array<ArrayBuffer>(count);
  let size = 4 + count * 8;
  for (let i = 0; i < count; i++) {
    const pair = unchecked(pairs[i]);
    const key = String.UTF8.encode(pair.key);
    const value = String.UTF8.encode(pair.value);
    unchecked((keys[i] = key));
    unchecked((values[i] = value));
    size += key.byteLength + value.byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, <u32>count);
  let sizes = base + 4;
  let data = base + 4 + <usize>count * 8;
  for (let i = 0; i < count; i++) {
    const key = unchecked(keys[i]);
    const value = unchecked(values[i]);
    store<u32>(sizes, <u32>key.byteLength);
    store<u32>(sizes + 4, <u32>value.byteLength);
    sizes += 8;
    memory.copy(data, changetype<usize>(key), <usize>key.byteLength);
    data += <usize>key.byteLength;
    store<u8>(data++, 0);
    memory.copy(data, changetype<usize>(value), <usize>value.byteLength);
    data += <usize>value.byteLength;
    store<u8>(data++, 0);
  }
  return out;
}

export function deserializePairs(block: ArrayBuffer): HeaderPair[] {
  const out = new Array<HeaderPair>();
  const total = <usize>block.byteLength;
  if (total < 4) return out;
  const base = changetype<usize>(block);
  const count = <usize>load<u32>(base);
  if (count > (total - 4) / 8) return out;
  let data: usize = 4 + count * 8;
  for (let i: usize = 0; i < count; i++) {
    const keySize = <usize>load<u32>(base + 4 + i * 8);
    const valueSize = <usize>load<u32>(base + 8 + i * 8);
    if (keySize > total || valueSize > total || data + keySize + valueSize + 2 > total) break;
    const key = String.UTF8.decodeUnsafe(base + data, keySize);
    data += keySize + 1;
    const value = String.UTF8.decodeUnsafe(base + data, valueSize);
    data += valueSize + 1;
    out.push(new HeaderPair(key, value));
  }
  return out;
}

/**
 * A header map read in one hostcall and kept as the host's serialized block: lookups compare
 * bytes and decode only the value asked for. Every hostcall costs a VM boundary crossing (and one
 * more when the host allocates the result in the guest), which in Envoy outweighs the scan.
 * `get` returns the first value of a repeated header, like the host's own lookup.
 */
export class PairsView {
  constructor(private block: ArrayBuffer) {}

  get(name: string): string | null {
    const total = <usize>this.block.byteLength;
    if (total < 4) return null;
    const base = changetype<usize>(this.block);
    const count = <usize>load<u32>(base);
    if (count > (total - 4) / 8) return null;
    const wanted = String.UTF8.encode(name);
    const wantedPtr = changetype<usize>(wanted);
    const wantedSize = <usize>wanted.byteLength;
    let data: usize = 4 + count * 8;
    for (let i: usize = 0; i < count; i++) {
      const keySize = <usize>load<u32>(base + 4 + i * 8);
      const valueSize = <usize>load<u32>(base + 8 + i * 8);
      if (keySize > total || valueSize > total || data + keySize + valueSize + 2 > total) return null;
      if (keySize == wantedSize && memory.compare(base + data, wantedPtr, keySize) == 0) {
        return String.UTF8.decodeUnsafe(base + data + keySize + 1, valueSize);
      }
      data += keySize + valueSize + 2;
    }
    return null;
  }
}
