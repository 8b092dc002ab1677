// Byte-by-byte builders for the image formats checks/image.ts understands.
// realPng() is a complete, decodable PNG (zlib-compressed scanlines); the others
// write valid headers and structure with minimal (or dummy) pixel data, which is
// all the check reads.
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u32be = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const u16be = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const u16le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u24le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff];
const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngChunk(type: string, data: Uint8Array | number[]): Uint8Array {
  const body = Uint8Array.from([...ascii(type), ...data]);
  return Uint8Array.from([...u32be(data.length), ...body, ...u32be(crc32(body))]);
}

function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface PngOptions {
  depth?: number;
  colour?: number;
  interlace?: number;
}

export function ihdr(width: number, height: number, o: PngOptions = {}): number[] {
  return [...u32be(width), ...u32be(height), o.depth ?? 8, o.colour ?? 2, 0, 0, o.interlace ?? 0];
}

/** A complete RGB PNG. pixel(x, y) gives [r, g, b]; default a gradient. */
export function realPng(width: number, height: number, pixel?: (x: number, y: number) => [number, number, number]): Uint8Array {
  const raw = new Uint8Array(height * (1 + width * 3));
  let at = 0;
  for (let y = 0; y < height; y++) {
    raw[at++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel ? pixel(x, y) : [x & 0xff, y & 0xff, (x + y) & 0xff];
      raw[at++] = r;
      raw[at++] = g;
      raw[at++] = b;
    }
  }
  return concat([PNG_SIGNATURE, pngChunk("IHDR", ihdr(width, height)), pngChunk("IDAT", deflateSync(raw)), pngChunk("IEND", [])]);
}

/** Signature + IHDR (+ a token IDAT and IEND): what a bomb looks like. */
export function pngHeaderOnly(width: number, height: number, o: PngOptions = {}): Uint8Array {
  return concat([PNG_SIGNATURE, pngChunk("IHDR", ihdr(width, height, o)), pngChunk("IDAT", deflateSync(new Uint8Array(16))), pngChunk("IEND", [])]);
}

export interface JpegOptions {
  /** Extra APPn segments before the frame header: [marker, payload length]. */
  apps?: [number, number][];
  /** SOF marker (default 0xc0 baseline; 0xc2 progressive). */
  sof?: number;
  components?: number;
  /** Fill bytes (0xff) before each marker. */
  fill?: number;
}

function segment(marker: number, payload: number[] | Uint8Array, fill = 0): number[] {
  return [...new Array<number>(fill).fill(0xff), 0xff, marker, ...u16be(payload.length + 2), ...payload];
}
/** SOI, APP0 JFIF, [APPn…], DQT, SOFn, DHT, SOS, scan bytes, EOI. */
export function jpeg(width: number, height: number, o: JpegOptions = {}): Uint8Array {
  const fill = o.fill ?? 0;
  const comps = o.components ?? 3;
  const parts: number[][] = [[0xff, 0xd8]];
  parts.push(segment(0xe0, [...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0], fill));
  for (const [marker, len] of o.apps ?? []) parts.push(segment(marker, new Array<number>(len).fill(0x41), fill));
  parts.push(segment(0xdb, [0, ...new Array<number>(64).fill(1)], fill));
  const compSpec: number[] = [];
  for (let c = 1; c <= comps; c++) compSpec.push(c, 0x11, 0);
  parts.push(segment(o.sof ?? 0xc0, [8, ...u16be(height), ...u16be(width), comps, ...compSpec], fill));
  parts.push(segment(0xc4, [0, ...new Array<number>(16).fill(0), 0], fill));
  const sos: number[] = [comps];
  for (let c = 1; c <= comps; c++) sos.push(c, 0);
  sos.push(0, 63, 0);
  parts.push(segment(0xda, sos, fill));
  parts.push([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]);
  return concat(parts);
}

export interface GifFrame {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** GIF89a with a 2-colour global table, a graphic control extension per frame, and a trailer. */
export function gif(width: number, height: number, frames?: GifFrame[], version = "89a"): Uint8Array {
  const parts: number[][] = [[...ascii(`GIF${version}`), ...u16le(width), ...u16le(height), 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]];
  parts.push([0x21, 0xff, 11, ...ascii("NETSCAPE2.0"), 3, 1, 0, 0, 0]); // application extension
  for (const f of frames ?? [{ left: 0, top: 0, width, height }]) {
    parts.push([0x21, 0xf9, 4, 0, 0, 0, 0, 0]);
    parts.push([0x2c, ...u16le(f.left), ...u16le(f.top), ...u16le(f.width), ...u16le(f.height), 0, 2, 2, 0x44, 0x01, 0]);
  }
  parts.push([0x3b]);
  return concat(parts);
}

function riff(chunks: Uint8Array): Uint8Array {
  return concat([ascii("RIFF"), u32le(4 + chunks.length), ascii("WEBP"), chunks]);
}

function webpChunk(type: string, data: number[]): Uint8Array {
  const pad = data.length % 2 === 1 ? [0] : [];
  return concat([ascii(type), u32le(data.length), data, pad]);
}

/** Lossy (VP8) key frame header. */
export function webpVp8(width: number, height: number): Uint8Array {
  const frame = [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...u16le(width & 0x3fff), ...u16le(height & 0x3fff), ...new Array<number>(10).fill(0)];
  return riff(webpChunk("VP8 ", frame));
}

/** Lossless (VP8L) header. */
export function webpVp8l(width: number, height: number): Uint8Array {
  const bits = ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
  return riff(webpChunk("VP8L", [0x2f, ...u32le(bits >>> 0), 0, 0, 0, 0]));
}

/** Extended (VP8X) canvas followed by a small VP8L image. */
export function webpVp8x(width: number, height: number): Uint8Array {
  const vp8x = webpChunk("VP8X", [0x10, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)]);
  const inner = webpChunk("VP8L", [0x2f, ...u32le(0), 0, 0, 0, 0]);
  return riff(concat([vp8x, inner]));
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
export const dataUrl = (type: string, bytes: Uint8Array): string => `data:image/${type};base64,${b64(bytes)}`;
