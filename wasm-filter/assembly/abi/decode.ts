// Decoders for property values as Envoy returns them: strings as raw bytes,
// numbers as 8-byte little-endian doubles (int64 for integer-typed attributes),
// bools as one byte. Wrong sizes decode to a caller-chosen fallback, not a trap.

export function decodeString(bytes: ArrayBuffer): string {
  return String.UTF8.decode(bytes);
}

export function decodeF64(bytes: ArrayBuffer, fallback: f64 = NaN): f64 {
  return bytes.byteLength == 8 ? load<f64>(changetype<usize>(bytes)) : fallback;
}

export function decodeI64(bytes: ArrayBuffer, fallback: i64 = 0): i64 {
  return bytes.byteLength == 8 ? load<i64>(changetype<usize>(bytes)) : fallback;
}

export function decodeBool(bytes: ArrayBuffer, fallback: bool = false): bool {
  return bytes.byteLength == 1 ? load<u8>(changetype<usize>(bytes)) != 0 : fallback;
}

export function encodeF64(value: f64): ArrayBuffer {
  const out = new ArrayBuffer(8);
  store<f64>(changetype<usize>(out), value);
  return out;
}

export function encodeU64(value: u64): ArrayBuffer {
  const out = new ArrayBuffer(8);
  store<u64>(changetype<usize>(out), value);
  return out;
}
