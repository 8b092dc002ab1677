// Base64 image check: size cap, format allowlist, and declared dimensions
// (the decompression-bomb defence: a 50 KB PNG can declare 100000×100000 pixels,
// which a model server's decoder would try to allocate). Pure, never throws.
//
// Input: plain base64, or a data URL `data:image/<type>;base64,<base64>` (the
// `data:`/type part ASCII case-insensitive; no other parameters; type one of png,
// jpeg, jpg, gif, webp). Any other `data:` form is Malformed, except a
// well-formed `data:image/<other>;base64,` which is FormatDenied. The declared
// type must agree with the magic bytes, else Malformed.
//
// Order of decisions (each step costs no more than the next):
//  1. data-URL prefix                          → Malformed / FormatDenied
//  2. decoded size from the base64 length, O(1) → Malformed (bad shape, or 0 bytes)
//                                                 TooLarge (> maxDecodedBytes)
//  3. every character validated (util/base64.ts strict rules), no allocation → Malformed
//  4. magic bytes → format; declared ≠ detected → Malformed; a recognised
//     non-allowed format (bmp, tiff, ico, svg/xml, pdf, avif/heic, jxl, psd,
//     other RIFF, qoi) → FormatDenied; unrecognised bytes → Malformed;
//     format not in the policy → FormatDenied
//  5. header walk → Malformed on a structural error, width or height 0 → Malformed,
//     over maxWidth / maxHeight / maxPixels (i64) → DimensionsExceeded.
//
// Nothing is decoded into a buffer: header bytes are read in place through
// Base64View (random access into the base64 text), so a 5 MB image costs one
// validation pass plus a few reads. Per format:
//  - PNG: signature, first chunk is IHDR with length 13 and a correct CRC, width
//    and height ≤ 2^31-1, valid bit depth / colour type / methods.
//  - JPEG: SOI, then a bounded segment walk (fill bytes, standalone markers,
//    length-prefixed segments skipped with bounds checks) to the first SOFn;
//    SOS/EOI before a frame header is Malformed; SOF length must match its
//    component count.
//  - GIF: logical screen, then a walk over every block to the trailer. Each frame's
//    extent (left+width, top+height) widens the reported canvas, since some
//    decoders allocate per frame. A missing trailer is Malformed.
//  - WebP: RIFF size consistent with the data, then the first chunk: VP8 (key
//    frame, start code, 14-bit sizes), VP8L (signature 0x2f, version 0, sizes+1),
//    or VP8X (24-bit canvas sizes+1).
// Limits ≤ 0 mean "no limit" (the translator always sets them).
import { Base64View, base64DecodedLength, base64Valid } from "../util/base64";
import { equalsFold, startsWithFoldAt } from "../util/ascii";

export enum ImageVerdict {
  Ok = 0,
  Malformed = 1,
  FormatDenied = 2,
  TooLarge = 3,
  DimensionsExceeded = 4,
}

export enum ImageFormat {
  Unknown = 0,
  Png = 1,
  Jpeg = 2,
  Gif = 3,
  Webp = 4,
  /** A recognised image/document format we do not support. */
  Other = 5,
}

export class ImagePolicy {
  /** Allowed formats: "png", "jpeg", "gif", "webp". Empty means all four. */
  formats: Array<string> = new Array<string>(0);
  maxDecodedBytes: i64 = 0;
  maxWidth: i32 = 0;
  maxHeight: i32 = 0;
  maxPixels: i64 = 0;
}

/** What checkImageInfo found (filled as far as it got). */
export class ImageInfo {
  format: ImageFormat = ImageFormat.Unknown;
  decodedBytes: i64 = -1;
  width: i64 = 0;
  height: i64 = 0;
}

export function checkImage(b64: string, policy: ImagePolicy): ImageVerdict {
  return checkImageInfo(b64, policy, new ImageInfo());
}

export function checkImageInfo(b64: string, policy: ImagePolicy, info: ImageInfo): ImageVerdict {
  // 1. optional data URL
  let start = 0;
  let declared = ImageFormat.Unknown;
  if (startsWithFoldAt(b64, 0, "data:")) {
    if (!startsWithFoldAt(b64, 5, "image/")) return ImageVerdict.Malformed;
    let i = 11;
    const n = b64.length;
    while (i < n && isTokenChar(b64.charCodeAt(i))) i++;
    if (i == 11 || !startsWithFoldAt(b64, i, ";base64,")) return ImageVerdict.Malformed;
    const sub = b64.substring(11, i);
    declared = formatByName(sub);
    if (declared == ImageFormat.Unknown) return ImageVerdict.FormatDenied;
    start = i + 8;
  }
  // 2. size from length
  const size = base64DecodedLength(b64, start);
  info.decodedBytes = size;
  if (size <= 0) return ImageVerdict.Malformed;
  if (policy.maxDecodedBytes > 0 && size > policy.maxDecodedBytes) return ImageVerdict.TooLarge;
  // 3. all characters
  if (!base64Valid(b64, start)) return ImageVerdict.Malformed;
  // 4. format
  const view = new Base64View(b64, start);
  const format = sniff(view);
  info.format = format;
  if (declared != ImageFormat.Unknown && declared != format) return ImageVerdict.Malformed;
  if (format == ImageFormat.Unknown) return ImageVerdict.Malformed;
  if (format == ImageFormat.Other || !formatAllowed(format, policy.formats)) return ImageVerdict.FormatDenied;
  // 5. dimensions
  let ok = false;
  if (format == ImageFormat.Png) ok = pngSize(view, info);
  else if (format == ImageFormat.Jpeg) ok = jpegSize(view, info);
  else if (format == ImageFormat.Gif) ok = gifSize(view, info);
  else if (format == ImageFormat.Webp) ok = webpSize(view, info);
  if (!ok || info.width <= 0 || info.height <= 0) return ImageVerdict.Malformed;
  if (policy.maxWidth > 0 && info.width > <i64>policy.maxWidth) return ImageVerdict.DimensionsExceeded;
  if (policy.maxHeight > 0 && info.height > <i64>policy.maxHeight) return ImageVerdict.DimensionsExceeded;
  // width, height < 2^32 for every format, so the product fits in i64.
  if (policy.maxPixels > 0 && info.width * info.height > policy.maxPixels) return ImageVerdict.DimensionsExceeded;
  return ImageVerdict.Ok;
}

/** "png" | "jpeg" | "jpg" | "gif" | "webp" (ASCII case-insensitive) → format, else Unknown. */
export function formatByName(name: string): ImageFormat {
  if (equalsFold(name, "png")) return ImageFormat.Png;
  if (equalsFold(name, "jpeg") || equalsFold(name, "jpg")) return ImageFormat.Jpeg;
  if (equalsFold(name, "gif")) return ImageFormat.Gif;
  if (equalsFold(name, "webp")) return ImageFormat.Webp;
  return ImageFormat.Unknown;
}

function formatAllowed(format: ImageFormat, formats: Array<string>): bool {
  if (formats.length == 0) return true;
  for (let i = 0; i < formats.length; i++) {
    if (formatByName(unchecked(formats[i])) == format) return true;
  }
  return false;
}

/** RFC 2045 token characters (restricted to what a subtype can sensibly hold). */
function isTokenChar(c: i32): bool {
  if (c >= 0x30 && c <= 0x39) return true;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x7a) return true;
  return c == 0x2b || c == 0x2d || c == 0x2e || c == 0x5f; // + - . _
}

// --- sniffing -------------------------------------------------------------------

function bytesEqual(v: Base64View, at: i64, expect: StaticArray<u8>): bool {
  for (let i = 0; i < expect.length; i++) {
    if (v.byteAt(at + i) != <i32>unchecked(expect[i])) return false;
  }
  return true;
}

const PNG_SIG: StaticArray<u8> = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GIF87: StaticArray<u8> = [0x47, 0x49, 0x46, 0x38, 0x37, 0x61];
const GIF89: StaticArray<u8> = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61];
const RIFF: StaticArray<u8> = [0x52, 0x49, 0x46, 0x46];
const WEBP: StaticArray<u8> = [0x57, 0x45, 0x42, 0x50];
const IHDR: StaticArray<u8> = [0x49, 0x48, 0x44, 0x52];
const VP8_: StaticArray<u8> = [0x56, 0x50, 0x38, 0x20];
const VP8L: StaticArray<u8> = [0x56, 0x50, 0x38, 0x4c];
const VP8X: StaticArray<u8> = [0x56, 0x50, 0x38, 0x58];
// Recognised but unsupported: FormatDenied rather than Malformed.
const BMP: StaticArray<u8> = [0x42, 0x4d];
const TIFF_LE: StaticArray<u8> = [0x49, 0x49, 0x2a, 0x00];
const TIFF_BE: StaticArray<u8> = [0x4d, 0x4d, 0x00, 0x2a];
const ICO: StaticArray<u8> = [0x00, 0x00, 0x01, 0x00];
const FTYP: StaticArray<u8> = [0x66, 0x74, 0x79, 0x70]; // at offset 4: AVIF, HEIC, MP4
const PDF: StaticArray<u8> = [0x25, 0x50, 0x44, 0x46];
const JXL_CODE: StaticArray<u8> = [0xff, 0x0a];
const JXL_BOX: StaticArray<u8> = [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20];
const PSD: StaticArray<u8> = [0x38, 0x42, 0x50, 0x53];
const QOI: StaticArray<u8> = [0x71, 0x6f, 0x69, 0x66];
const UTF8_BOM: StaticArray<u8> = [0xef, 0xbb, 0xbf];

export function sniff(v: Base64View): ImageFormat {
  if (bytesEqual(v, 0, PNG_SIG)) return ImageFormat.Png;
  if (v.byteAt(0) == 0xff && v.byteAt(1) == 0xd8 && v.byteAt(2) == 0xff) return ImageFormat.Jpeg;
  if (bytesEqual(v, 0, GIF87) || bytesEqual(v, 0, GIF89)) return ImageFormat.Gif;
  if (bytesEqual(v, 0, RIFF)) return bytesEqual(v, 8, WEBP) ? ImageFormat.Webp : ImageFormat.Other;
  if (bytesEqual(v, 0, BMP) || bytesEqual(v, 0, TIFF_LE) || bytesEqual(v, 0, TIFF_BE) || bytesEqual(v, 0, ICO)) return ImageFormat.Other;
  if (bytesEqual(v, 4, FTYP) || bytesEqual(v, 0, PDF) || bytesEqual(v, 0, JXL_CODE) || bytesEqual(v, 0, JXL_BOX)) return ImageFormat.Other;
  if (bytesEqual(v, 0, PSD) || bytesEqual(v, 0, QOI)) return ImageFormat.Other;
  // SVG / XML / HTML: '<' after optional BOM and ASCII whitespace.
  let k: i64 = bytesEqual(v, 0, UTF8_BOM) ? 3 : 0;
  for (let guard = 0; guard < 256; guard++) {
    const c = v.byteAt(k);
    if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) k++;
    else break;
  }
  if (v.byteAt(k) == 0x3c) return ImageFormat.Other;
  return ImageFormat.Unknown;
}

// --- PNG --------------------------------------------------------------------------

function pngSize(v: Base64View, info: ImageInfo): bool {
  if (v.length < 33) return false;
  if (v.u32be(8) != 13 || !bytesEqual(v, 12, IHDR)) return false;
  const w = v.u32be(16);
  const h = v.u32be(20);
  if (w < 0 || h < 0 || w > 0x7fffffff || h > 0x7fffffff) return false;
  const depth = v.byteAt(24);
  const colour = v.byteAt(25);
  if (!pngDepthValid(colour, depth)) return false;
  if (v.byteAt(26) != 0 || v.byteAt(27) != 0) return false; // compression, filter
  const interlace = v.byteAt(28);
  if (interlace != 0 && interlace != 1) return false;
  // CRC-32 over chunk type + data (bytes 12..28).
  let crc: u32 = 0xffffffff;
  for (let i: i64 = 12; i < 29; i++) {
    crc ^= <u32>v.byteAt(i);
    for (let b = 0; b < 8; b++) crc = (crc >>> 1) ^ (0xedb88320 & (0 - (crc & 1)));
  }
  crc = ~crc;
  if (v.u32be(29) != <i64>crc) return false;
  info.width = w;
  info.height = h;
  return true;
}

function pngDepthValid(colour: i32, depth: i32): bool {
  if (colour == 0) return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
  if (colour == 3) return depth == 1 || depth == 2 || depth == 4 || depth == 8;
  if (colour == 2 || colour == 4 || colour == 6) return depth == 8 || depth == 16;
  return false;
}

// --- JPEG -------------------------------------------------------------------------

function isSof(m: i32): bool {
  // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC).
  return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

function jpegSize(v: Base64View, info: ImageInfo): bool {
  const total = v.length;
  let pos: i64 = 2; // after SOI
  while (pos < total) {
    if (v.byteAt(pos) != 0xff) return false;
    while (v.byteAt(pos) == 0xff) pos++; // marker and fill bytes
    const marker = v.byteAt(pos);
    pos++;
    if (marker < 0 || marker == 0x00) return false;
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // standalone
    if (marker == 0xd8 || marker == 0xd9 || marker == 0xda) return false; // SOI again, EOI/SOS before a frame
    const len = v.u16be(pos);
    if (len < 2 || pos + <i64>len > total) return false;
    if (isSof(marker)) {
      if (len < 8) return false;
      const components = v.byteAt(pos + 7);
      if (components <= 0 || len != 8 + 3 * components) return false;
      const precision = v.byteAt(pos + 2);
      if (precision <= 0) return false;
      info.height = <i64>v.u16be(pos + 3);
      info.width = <i64>v.u16be(pos + 5);
      return true;
    }
    pos += <i64>len;
  }
  return false; // no frame header
}

// --- GIF --------------------------------------------------------------------------

/** Skips GIF data sub-blocks from pos; the position after the terminator, or -1. */
function gifSkipBlocks(v: Base64View, pos: i64): i64 {
  const total = v.length;
  while (true) {
    const size = v.byteAt(pos);
    if (size < 0) return -1;
    pos += 1 + <i64>size;
    if (size == 0) return pos;
    if (pos > total) return -1;
  }
  return -1;
}

function gifSize(v: Base64View, info: ImageInfo): bool {
  const sw = v.u16le(6);
  const sh = v.u16le(8);
  const flags = v.byteAt(10);
  if (sw < 0 || sh < 0 || flags < 0 || v.byteAt(12) < 0) return false;
  let width: i64 = <i64>sw;
  let height: i64 = <i64>sh;
  let pos: i64 = 13;
  if (flags & 0x80) pos += <i64>(3 << ((flags & 7) + 1)); // global colour table
  const total = v.length;
  while (true) {
    if (pos >= total) return false; // no trailer
    const b = v.byteAt(pos);
    if (b == 0x3b) break; // trailer
    if (b == 0x21) {
      // extension: introducer, label, sub-blocks
      if (v.byteAt(pos + 1) < 0) return false;
      pos = gifSkipBlocks(v, pos + 2);
      if (pos < 0) return false;
    } else if (b == 0x2c) {
      const left = v.u16le(pos + 1);
      const top = v.u16le(pos + 3);
      const fw = v.u16le(pos + 5);
      const fh = v.u16le(pos + 7);
      const fflags = v.byteAt(pos + 9);
      if ((left | top | fw | fh | fflags) < 0) return false;
      if (<i64>(left + fw) > width) width = <i64>(left + fw);
      if (<i64>(top + fh) > height) height = <i64>(top + fh);
      pos += 10;
      if (fflags & 0x80) pos += <i64>(3 << ((fflags & 7) + 1)); // local colour table
      const lzw = v.byteAt(pos);
      if (lzw < 1 || lzw > 11) return false;
      pos = gifSkipBlocks(v, pos + 1);
      if (pos < 0) return false;
    } else {
      return false;
    }
  }
  // Dimensions are those of the logical screen widened by any frame; the screen
  // itself must be non-empty.
  if (sw == 0 || sh == 0) return false;
  info.width = width;
  info.height = height;
  return true;
}

// --- WebP -------------------------------------------------------------------------

function webpSize(v: Base64View, info: ImageInfo): bool {
  const riff = v.u32le(4);
  if (riff < 0 || riff < 4 + 8 + 10 || riff + 8 > v.length) return false;
  const chunkSize = v.u32le(16);
  if (chunkSize < 0 || 20 + chunkSize > riff + 8) return false;
  if (bytesEqual(v, 12, VP8_)) {
    if (chunkSize < 10) return false;
    const tag = v.byteAt(20);
    if (tag < 0 || (tag & 1) != 0) return false; // must be a key frame
    if (v.byteAt(23) != 0x9d || v.byteAt(24) != 0x01 || v.byteAt(25) != 0x2a) return false;
    const w = v.u16le(26);
    const h = v.u16le(28);
    if (w < 0 || h < 0) return false;
    info.width = <i64>(w & 0x3fff);
    info.height = <i64>(h & 0x3fff);
    return true;
  }
  if (bytesEqual(v, 12, VP8L)) {
    if (chunkSize < 5 || v.byteAt(20) != 0x2f) return false;
    const bits = v.u32le(21);
    if (bits < 0 || (bits >> 29) != 0) return false; // version must be 0
    info.width = (bits & 0x3fff) + 1;
    info.height = ((bits >> 14) & 0x3fff) + 1;
    return true;
  }
  if (bytesEqual(v, 12, VP8X)) {
    if (chunkSize < 10) return false;
    const w = v.u24le(24);
    const h = v.u24le(27);
    if (w < 0 || h < 0) return false;
    info.width = w + 1;
    info.height = h + 1;
    return true;
  }
  return false;
}
