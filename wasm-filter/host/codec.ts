// UTF-8 helpers shared by the whole host. Header names and values are almost
// always ASCII, so those take a loop that allocates nothing but the result.

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Byte length of `text` in UTF-8. */
export function utf8Length(text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, "utf8");
  }
  return n;
}

/** Writes `text` (whose UTF-8 length is `length`) at `at`; returns the end offset. */
export function writeUtf8(target: Uint8Array, at: number, text: string, length: number): number {
  if (length === text.length) {
    for (let i = 0; i < length; i++) target[at + i] = text.charCodeAt(i);
    return at + length;
  }
  encoder.encodeInto(text, target.subarray(at, at + length));
  return at + length;
}

/** Decodes `length` bytes at `at`; short ASCII runs skip TextDecoder. */
export function readUtf8(source: Uint8Array, at: number, length: number): string {
  if (length <= 64) {
    let out = "";
    for (let i = 0; i < length; i++) {
      const byte = source[at + i] as number;
      if (byte >= 0x80) return decoder.decode(source.subarray(at, at + length));
      out += String.fromCharCode(byte);
    }
    return out;
  }
  return decoder.decode(source.subarray(at, at + length));
}

export type BytesInput = string | Uint8Array;

export function toBytes(input: BytesInput): Uint8Array {
  return typeof input === "string" ? encoder.encode(input) : input;
}
