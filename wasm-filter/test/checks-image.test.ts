// checks/image.ts: format detection, declared dimensions for PNG/JPEG/GIF/WebP,
// data-URL handling, size cap from the base64 length, bombs, truncation and
// corruption.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ChecksWasm, ImageFormat, imageVerdictName, prng } from "./checks-support.js";
import type { ImageVerdictName } from "./checks-support.js";
import { b64, dataUrl, gif, jpeg, pngChunk, pngHeaderOnly, PNG_SIGNATURE, realPng, webpVp8, webpVp8l, webpVp8x, ihdr } from "./checks-images.js";

let wasm: ChecksWasm;

const POLICY = {
  DEFAULT: 1, // all formats, 5 MB, 4096 x 4096, 16 Mpx
  PNG_JPEG: 2,
  TINY: 3, // 64 x 64, 2048 px, 4 KB
  UNLIMITED: 4,
  WEBP_ONLY: 5,
} as const;

before(async () => {
  wasm = await ChecksWasm.load();
  wasm.setImagePolicy(POLICY.DEFAULT, { formats: ["png", "jpeg", "gif", "webp"], maxBytes: 5 * 1024 * 1024, maxWidth: 4096, maxHeight: 4096, maxPixels: 16_000_000 });
  wasm.setImagePolicy(POLICY.PNG_JPEG, { formats: ["png", "jpeg"], maxBytes: 5 * 1024 * 1024, maxWidth: 4096, maxHeight: 4096, maxPixels: 16_000_000 });
  wasm.setImagePolicy(POLICY.TINY, { formats: [], maxBytes: 4096, maxWidth: 64, maxHeight: 64, maxPixels: 2048 });
  wasm.setImagePolicy(POLICY.UNLIMITED, {});
  wasm.setImagePolicy(POLICY.WEBP_ONLY, { formats: ["WEBP"], maxBytes: 1 << 20, maxWidth: 1 << 20, maxHeight: 1 << 20, maxPixels: 2 ** 40 });
});

function expectImage(data: string, policy: number, want: ImageVerdictName, label = ""): void {
  assert.equal(imageVerdictName(wasm.checkImage(data, policy)), want, `${label} ${data.length > 90 ? `${data.slice(0, 80)}…` : data}`);
}

const FORMATS: [string, (w: number, h: number) => Uint8Array, number][] = [
  ["png", (w, h) => pngHeaderOnly(w, h), ImageFormat.Png],
  ["jpeg", (w, h) => jpeg(w, h), ImageFormat.Jpeg],
  ["gif", (w, h) => gif(w, h), ImageFormat.Gif],
  ["webp", (w, h) => webpVp8l(w, h), ImageFormat.Webp],
];

describe("dimensions are read per format", () => {
  const sizes: [number, number][] = [
    [1, 1],
    [2, 3],
    [640, 480],
    [4096, 4096],
    [300, 9000],
    [16383, 2],
  ];
  for (const [name, build, format] of FORMATS) {
    for (const [w, h] of sizes) {
      it(`${name} ${w}x${h}`, () => {
        const info = wasm.imageInfo(b64(build(w, h)), POLICY.UNLIMITED);
        assert.deepEqual([imageVerdictName(info.verdict), info.width, info.height, info.format], ["Ok", w, h, format]);
      });
    }
  }
  it("real PNGs, interlaced and other colour types", () => {
    for (const [w, h] of [
      [1, 1],
      [17, 5],
      [64, 64],
    ] as const) {
      const info = wasm.imageInfo(b64(realPng(w, h)), POLICY.UNLIMITED);
      assert.deepEqual([info.verdict, info.width, info.height], [0, w, h]);
    }
    for (const o of [
      { depth: 1, colour: 0 },
      { depth: 16, colour: 0 },
      { depth: 4, colour: 3 },
      { depth: 8, colour: 4 },
      { depth: 16, colour: 6 },
      { depth: 8, colour: 2, interlace: 1 },
    ]) {
      expectImage(b64(pngHeaderOnly(10, 10, o)), POLICY.DEFAULT, "Ok", JSON.stringify(o));
    }
  });
  it("JPEG variants: progressive, greyscale, EXIF and ICC before the frame, fill bytes", () => {
    const cases: [Uint8Array, number, number][] = [
      [jpeg(800, 600, { sof: 0xc2 }), 800, 600],
      [jpeg(800, 600, { sof: 0xc1 }), 800, 600],
      [jpeg(120, 90, { components: 1 }), 120, 90],
      [jpeg(120, 90, { components: 4 }), 120, 90],
      [jpeg(1024, 768, { apps: [[0xe1, 30_000], [0xe2, 65_000], [0xe2, 65_000], [0xed, 100], [0xfe, 20]] }), 1024, 768],
      [jpeg(33, 44, { fill: 3 }), 33, 44],
    ];
    for (const [bytes, w, h] of cases) {
      const info = wasm.imageInfo(b64(bytes), POLICY.UNLIMITED);
      assert.deepEqual([info.verdict, info.width, info.height], [0, w, h]);
    }
  });
  it("GIF: 87a, several frames, frames that extend past the logical screen", () => {
    assert.deepEqual(pick(wasm.imageInfo(b64(gif(10, 20, undefined, "87a")), POLICY.UNLIMITED)), [0, 10, 20]);
    const frames = [
      { left: 0, top: 0, width: 10, height: 10 },
      { left: 5, top: 5, width: 5, height: 5 },
    ];
    assert.deepEqual(pick(wasm.imageInfo(b64(gif(10, 10, frames)), POLICY.UNLIMITED)), [0, 10, 10]);
    const outside = [{ left: 60000, top: 0, width: 5000, height: 30000 }];
    assert.deepEqual(pick(wasm.imageInfo(b64(gif(10, 10, outside)), POLICY.UNLIMITED)), [0, 65000, 30000]);
    expectImage(b64(gif(10, 10, outside)), POLICY.DEFAULT, "DimensionsExceeded");
  });
  it("WebP: VP8, VP8L, VP8X", () => {
    assert.deepEqual(pick(wasm.imageInfo(b64(webpVp8(320, 240)), POLICY.UNLIMITED)), [0, 320, 240]);
    assert.deepEqual(pick(wasm.imageInfo(b64(webpVp8l(16384, 16384)), POLICY.UNLIMITED)), [0, 16384, 16384]);
    assert.deepEqual(pick(wasm.imageInfo(b64(webpVp8x(16_777_216, 1)), POLICY.UNLIMITED)), [0, 16_777_216, 1]);
    expectImage(b64(webpVp8x(16_777_216, 16_777_216)), POLICY.WEBP_ONLY, "DimensionsExceeded");
    expectImage(b64(webpVp8x(1 << 20, 1 << 20)), POLICY.WEBP_ONLY, "Ok");
  });
});

const pick = (i: { verdict: number; width: number; height: number }): number[] => [i.verdict, i.width, i.height];

describe("limits", () => {
  for (const [name, build] of FORMATS) {
    it(`${name}: width, height and pixel limits`, () => {
      expectImage(b64(build(64, 32)), POLICY.TINY, "Ok");
      expectImage(b64(build(65, 1)), POLICY.TINY, "DimensionsExceeded");
      expectImage(b64(build(1, 65)), POLICY.TINY, "DimensionsExceeded");
      expectImage(b64(build(64, 33)), POLICY.TINY, "DimensionsExceeded"); // 2112 px > 2048
      expectImage(b64(build(4096, 4096)), POLICY.DEFAULT, "DimensionsExceeded"); // 16.7 Mpx > 16 M
      expectImage(b64(build(4000, 4000)), POLICY.DEFAULT, "Ok");
      expectImage(b64(build(4097, 10)), POLICY.DEFAULT, "DimensionsExceeded");
    });
  }
  it("decompression bombs: huge declared dimensions in tiny files", () => {
    for (const [w, h] of [
      [100_000, 100_000],
      [0x7fffffff, 0x7fffffff],
      [1, 0x7fffffff],
      [65535, 65535],
    ] as const) {
      const png = pngHeaderOnly(w, h);
      assert.ok(png.length < 100);
      expectImage(b64(png), POLICY.DEFAULT, "DimensionsExceeded", `png ${w}x${h}`);
      expectImage(dataUrl("png", png), POLICY.DEFAULT, "DimensionsExceeded", `png ${w}x${h}`);
    }
    expectImage(b64(jpeg(65535, 65535)), POLICY.DEFAULT, "DimensionsExceeded");
    expectImage(b64(gif(65535, 65535)), POLICY.DEFAULT, "DimensionsExceeded");
    expectImage(b64(webpVp8l(16384, 16384)), POLICY.DEFAULT, "DimensionsExceeded");
    expectImage(b64(webpVp8x(16_777_216, 16_777_216)), POLICY.DEFAULT, "DimensionsExceeded");
    const bomb = wasm.imageInfo(b64(pngHeaderOnly(0x7fffffff, 0x7fffffff)), POLICY.UNLIMITED);
    assert.deepEqual(pick(bomb), [0, 0x7fffffff, 0x7fffffff]); // no overflow in the product
  });
  it("PNG dimensions over 2^31-1 are malformed", () => {
    expectImage(b64(pngHeaderOnly(0x80000000, 1)), POLICY.UNLIMITED, "Malformed");
    expectImage(b64(pngHeaderOnly(1, 0xffffffff)), POLICY.UNLIMITED, "Malformed");
  });
  it("zero width or height is malformed in every format", () => {
    expectImage(b64(pngHeaderOnly(0, 10)), POLICY.UNLIMITED, "Malformed");
    expectImage(b64(pngHeaderOnly(10, 0)), POLICY.UNLIMITED, "Malformed");
    expectImage(b64(jpeg(0, 10)), POLICY.UNLIMITED, "Malformed");
    expectImage(b64(jpeg(10, 0)), POLICY.UNLIMITED, "Malformed"); // height 0 = DNL-defined: refused
    expectImage(b64(gif(0, 10)), POLICY.UNLIMITED, "Malformed");
    expectImage(b64(webpVp8(0, 10)), POLICY.UNLIMITED, "Malformed");
    expectImage(b64(webpVp8(10, 0)), POLICY.UNLIMITED, "Malformed");
  });
  it("decoded size is computed from the base64 length, before validation", () => {
    const png = realPng(64, 64, () => [1, 2, 3]);
    const s = b64(png);
    wasm.setImagePolicy(10, { maxBytes: png.length });
    wasm.setImagePolicy(11, { maxBytes: png.length - 1 });
    expectImage(s, 10, "Ok");
    expectImage(s, 11, "TooLarge");
    const unpadded = s.replace(/=+$/, "");
    expectImage(unpadded, 10, "Ok");
    expectImage(unpadded, 11, "TooLarge");
    // garbage of a large decoded size is TooLarge without ever being read
    expectImage("!".repeat(8000), POLICY.TINY, "TooLarge");
    expectImage(`data:image/png;base64,${"!".repeat(8000)}`, POLICY.TINY, "TooLarge");
    const info = wasm.imageInfo(s, 10);
    assert.equal(info.decodedBytes, png.length);
  });
});

describe("formats", () => {
  it("policy allowlist", () => {
    expectImage(b64(gif(10, 10)), POLICY.PNG_JPEG, "FormatDenied");
    expectImage(b64(webpVp8(10, 10)), POLICY.PNG_JPEG, "FormatDenied");
    expectImage(b64(pngHeaderOnly(10, 10)), POLICY.PNG_JPEG, "Ok");
    expectImage(b64(jpeg(10, 10)), POLICY.PNG_JPEG, "Ok");
    expectImage(b64(pngHeaderOnly(10, 10)), POLICY.WEBP_ONLY, "FormatDenied");
    expectImage(b64(webpVp8x(10, 10)), POLICY.WEBP_ONLY, "Ok");
  });
  const other: [string, number[]][] = [
    ["bmp", [0x42, 0x4d, 0x36, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0]],
    ["tiff le", [0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]],
    ["tiff be", [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]],
    ["ico", [0, 0, 1, 0, 1, 0, 16, 16]],
    ["avif", [0, 0, 0, 0x1c, ...Buffer.from("ftypavif")]],
    ["heic", [0, 0, 0, 0x18, ...Buffer.from("ftypheic")]],
    ["pdf", [...Buffer.from("%PDF-1.7\n")]],
    ["svg", [...Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')]],
    ["svg with bom and whitespace", [0xef, 0xbb, 0xbf, ...Buffer.from(' \n<?xml version="1.0"?><svg/>')]],
    ["jxl", [0xff, 0x0a, 0xfa, 0x7f]],
    ["jxl box", [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a]],
    ["psd", [...Buffer.from("8BPS"), 0, 1]],
    ["qoi", [...Buffer.from("qoif"), 0, 0, 0, 1, 0, 0, 0, 1, 3, 0]],
    ["riff wave", [...Buffer.from("RIFF"), 36, 0, 0, 0, ...Buffer.from("WAVEfmt ")]],
  ];
  for (const [name, bytes] of other) {
    it(`${name} is FormatDenied`, () => expectImage(b64(Uint8Array.from(bytes)), POLICY.UNLIMITED, "FormatDenied"));
  }
  for (const [name, bytes] of [
    ["text", [...Buffer.from("hello world")]],
    ["zeros", [0, 0, 0, 0, 0, 0, 0, 0]],
    ["one byte", [0x89]],
    ["png signature only", PNG_SIGNATURE],
    ["jpeg soi only", [0xff, 0xd8]],
    ["gif header only", [...Buffer.from("GIF89a")]],
    ["riff webp no chunk", [...Buffer.from("RIFF"), 4, 0, 0, 0, ...Buffer.from("WEBP")]],
  ] as [string, number[]][]) {
    it(`${name} is Malformed`, () => expectImage(b64(Uint8Array.from(bytes)), POLICY.UNLIMITED, "Malformed"));
  }
  it("empty input is Malformed", () => {
    expectImage("", POLICY.UNLIMITED, "Malformed");
    expectImage("data:image/png;base64,", POLICY.UNLIMITED, "Malformed");
  });
});

describe("data URLs", () => {
  const png = pngHeaderOnly(8, 8);
  // a payload whose base64 certainly contains '+', '/' and '=' (for the base64url / percent-encoding rows)
  const noisy = realPng(8, 9, (x, y) => [(x * 97 + y * 31) & 0xff, (x * 13 + 250) & 0xff, (y * 77) & 0xff]);
  const noisyB64 = b64(noisy);
  assert.ok(/[+/]/.test(noisyB64) && noisyB64.endsWith("="), noisyB64);
  const rows: [string, ImageVerdictName][] = [
    [dataUrl("png", png), "Ok"],
    [`DATA:IMAGE/PNG;BASE64,${b64(png)}`, "Ok"],
    [`data:image/PNG;base64,${b64(png)}`, "Ok"],
    [dataUrl("jpeg", jpeg(8, 8)), "Ok"],
    [dataUrl("jpg", jpeg(8, 8)), "Ok"],
    [dataUrl("gif", gif(8, 8)), "Ok"],
    [dataUrl("webp", webpVp8(8, 8)), "Ok"],
    // declared type disagrees with the bytes
    [dataUrl("jpeg", png), "Malformed"],
    [dataUrl("gif", png), "Malformed"],
    [dataUrl("webp", jpeg(8, 8)), "Malformed"],
    [dataUrl("png", gif(8, 8)), "Malformed"],
    [dataUrl("png", Uint8Array.from(Buffer.from("<svg/>"))), "Malformed"],
    // unsupported declared types
    [dataUrl("svg+xml", Uint8Array.from(Buffer.from("<svg/>"))), "FormatDenied"],
    [dataUrl("bmp", png), "FormatDenied"],
    [dataUrl("x-icon", png), "FormatDenied"],
    // malformed prefixes
    [`data:text/plain;base64,${b64(png)}`, "Malformed"],
    [`data:image/png,${b64(png)}`, "Malformed"],
    [`data:image/png;charset=utf-8;base64,${b64(png)}`, "Malformed"],
    [`data:image/png;base64;${b64(png)}`, "Malformed"],
    [`data:image/;base64,${b64(png)}`, "Malformed"],
    [`data:;base64,${b64(png)}`, "Malformed"],
    [`data:image/png ;base64,${b64(png)}`, "Malformed"],
    [` data:image/png;base64,${b64(png)}`, "Malformed"],
    [`data:image/png;base64, ${b64(png)}`, "Malformed"],
    [`data:image/png;base64,${b64(png)}\n`, "Malformed"],
    [`data:image/png;base64,${b64(png)}#x`, "Malformed"],
    [`data:image/png;base64,${noisyB64}`, "Ok"],
    [`data:image/png;base64,${Buffer.from(noisy).toString("base64url")}`, "Malformed"],
    [`data:image/png;base64,${encodeURIComponent(noisyB64)}`, "Malformed"],
  ];
  for (const [url, want] of rows) {
    it(`${url.slice(0, 40)}… -> ${want}`, () => expectImage(url, POLICY.DEFAULT, want));
  }
});

describe("structure", () => {
  it("PNG: IHDR length, type, CRC, depth/colour, methods", () => {
    const good = pngHeaderOnly(10, 10);
    const mutate = (at: number, v: number): Uint8Array => {
      const m = good.slice();
      m[at] = v;
      return m;
    };
    expectImage(b64(mutate(11, 14)), POLICY.DEFAULT, "Malformed"); // length 14
    expectImage(b64(mutate(12, 0x69)), POLICY.DEFAULT, "Malformed"); // 'iHDR'
    expectImage(b64(mutate(29, good[29]! ^ 1)), POLICY.DEFAULT, "Malformed"); // CRC
    expectImage(b64(mutate(17, 11)), POLICY.DEFAULT, "Malformed"); // width changed, CRC stale
    expectImage(b64(pngHeaderOnly(10, 10, { depth: 3 })), POLICY.DEFAULT, "Malformed");
    expectImage(b64(pngHeaderOnly(10, 10, { colour: 2, depth: 4 })), POLICY.DEFAULT, "Malformed");
    expectImage(b64(pngHeaderOnly(10, 10, { colour: 3, depth: 16 })), POLICY.DEFAULT, "Malformed");
    expectImage(b64(pngHeaderOnly(10, 10, { colour: 5 })), POLICY.DEFAULT, "Malformed");
    expectImage(b64(pngHeaderOnly(10, 10, { interlace: 2 })), POLICY.DEFAULT, "Malformed");
    const badMethod = Uint8Array.from([...PNG_SIGNATURE, ...pngChunk("IHDR", [...ihdr(10, 10).slice(0, 10), 1, 0, 0])]);
    expectImage(b64(badMethod), POLICY.DEFAULT, "Malformed");
    const firstNotIhdr = Uint8Array.from([...PNG_SIGNATURE, ...pngChunk("tEXt", [...Buffer.from("a\0b")]), ...pngChunk("IHDR", ihdr(10, 10))]);
    expectImage(b64(firstNotIhdr), POLICY.DEFAULT, "Malformed");
  });
  it("JPEG: segment walk errors", () => {
    const soi = [0xff, 0xd8];
    const cases: [string, number[]][] = [
      ["SOS before SOF", [...soi, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0]],
      ["EOI before SOF", [...soi, 0xff, 0xd9]],
      ["second SOI", [...soi, 0xff, 0xd8, 0xff, 0xc0]],
      ["segment length 0", [...soi, 0xff, 0xe0, 0, 0]],
      ["segment length 1", [...soi, 0xff, 0xe0, 0, 1]],
      ["segment past the end", [...soi, 0xff, 0xe0, 0xff, 0xff, 1, 2, 3]],
      ["no marker byte", [...soi, 0xff, 0xe0, 0, 2, 0x12, 0x34]],
      ["stuffed zero as marker", [...soi, 0xff, 0x00]],
      ["SOF too short", [...soi, 0xff, 0xc0, 0, 6, 8, 0, 10, 0]],
      ["SOF component count mismatch", [...soi, 0xff, 0xc0, 0, 11, 8, 0, 10, 0, 10, 3, 1, 0x11, 0]],
      ["SOF zero components", [...soi, 0xff, 0xc0, 0, 8, 8, 0, 10, 0, 10, 0]],
      ["SOF precision 0", [...soi, 0xff, 0xc0, 0, 11, 0, 0, 10, 0, 10, 1, 1, 0x11, 0]],
      ["only fill bytes", [...soi, 0xff, 0xff, 0xff, 0xff]],
      ["DHT then end", [...soi, 0xff, 0xc4, 0, 2]],
    ];
    for (const [name, bytes] of cases) expectImage(b64(Uint8Array.from(bytes)), POLICY.DEFAULT, "Malformed", name);
    // DHT (C4), JPG (C8), DAC (CC) are not frame headers and are skipped
    const dacThenSof = [...soi, 0xff, 0xcc, 0, 4, 0, 0, 0xff, 0xc4, 0, 2, 0xff, 0xc0, 0, 11, 8, 0, 7, 0, 9, 1, 1, 0x11, 0];
    assert.deepEqual(pick(wasm.imageInfo(b64(Uint8Array.from(dacThenSof)), POLICY.DEFAULT)), [0, 9, 7]);
    // restart markers and TEM are standalone
    const standalone = [...soi, 0xff, 0x01, 0xff, 0xd3, 0xff, 0xc0, 0, 11, 8, 0, 7, 0, 9, 1, 1, 0x11, 0];
    assert.deepEqual(pick(wasm.imageInfo(b64(Uint8Array.from(standalone)), POLICY.DEFAULT)), [0, 9, 7]);
  });
  it("GIF: block walk errors", () => {
    const g = gif(10, 10);
    expectImage(b64(g.subarray(0, g.length - 1)), POLICY.DEFAULT, "Malformed", "no trailer");
    const unknownBlock = g.slice();
    unknownBlock[13 + 6] = 0x99; // first block introducer after header + colour table
    expectImage(b64(unknownBlock), POLICY.DEFAULT, "Malformed", "unknown block");
    const badLzw = Uint8Array.from([...g.subarray(0, g.length - 1)]);
    // find the image descriptor's LZW byte: descriptor is 10 bytes, then LZW code size
    const at = badLzw.lastIndexOf(0x2c);
    badLzw[at + 10] = 0;
    expectImage(b64(Uint8Array.from([...badLzw, 0x3b])), POLICY.DEFAULT, "Malformed", "lzw 0");
    // a global colour table flag whose table runs past the end
    const bigTable = g.slice(0, 13);
    bigTable[10] = 0x87;
    expectImage(b64(bigTable), POLICY.DEFAULT, "Malformed", "colour table past end");
  });
  it("WebP: RIFF and chunk errors", () => {
    const w = webpVp8(10, 10);
    const riffTooBig = w.slice();
    riffTooBig[4] = (riffTooBig[4]! + 2) & 0xff;
    expectImage(b64(riffTooBig), POLICY.DEFAULT, "Malformed", "RIFF size past end");
    const chunkTooBig = w.slice();
    chunkTooBig[16] = 0xff;
    chunkTooBig[17] = 0xff;
    expectImage(b64(chunkTooBig), POLICY.DEFAULT, "Malformed", "chunk size past RIFF");
    const interFrame = w.slice();
    interFrame[20] = interFrame[20]! | 1;
    expectImage(b64(interFrame), POLICY.DEFAULT, "Malformed", "not a key frame");
    const badStart = w.slice();
    badStart[23] = 0;
    expectImage(b64(badStart), POLICY.DEFAULT, "Malformed", "VP8 start code");
    const l = webpVp8l(10, 10);
    const badSig = l.slice();
    badSig[20] = 0x2e;
    expectImage(b64(badSig), POLICY.DEFAULT, "Malformed", "VP8L signature");
    const badVersion = l.slice();
    badVersion[24] = badVersion[24]! | 0x20;
    expectImage(b64(badVersion), POLICY.DEFAULT, "Malformed", "VP8L version");
    const unknownChunk = w.slice();
    unknownChunk.set(Buffer.from("VP8Z"), 12);
    expectImage(b64(unknownChunk), POLICY.DEFAULT, "Malformed", "unknown first chunk");
    // trailing bytes after the RIFF are tolerated
    expectImage(b64(Uint8Array.from([...w, 0, 0, 0, 0])), POLICY.DEFAULT, "Ok", "trailing bytes");
  });
});

describe("truncation and corruption never pass as something else", () => {
  const samples: [string, Uint8Array][] = [
    ["png", realPng(20, 20)],
    ["jpeg", jpeg(20, 20, { apps: [[0xe1, 200]] })],
    ["gif", gif(20, 20, [{ left: 0, top: 0, width: 20, height: 20 }, { left: 1, top: 1, width: 3, height: 3 }])],
    ["webp vp8", webpVp8(20, 20)],
    ["webp vp8l", webpVp8l(20, 20)],
    ["webp vp8x", webpVp8x(20, 20)],
  ];
  for (const [name, bytes] of samples) {
    it(`${name}: every truncation is Malformed or still reads 20x20`, () => {
      for (let n = 0; n < bytes.length; n++) {
        const info = wasm.imageInfo(b64(bytes.subarray(0, n)), POLICY.DEFAULT);
        if (info.verdict === 0) assert.deepEqual([info.width, info.height], [20, 20], `${name} cut at ${n}`);
        else assert.ok(info.verdict === 1 || info.verdict === 2, `${name} cut at ${n}: ${imageVerdictName(info.verdict)}`);
      }
    });
    it(`${name}: every single-byte corruption of the first 64 bytes gives a verdict`, () => {
      const rand = prng(bytes.length);
      for (let at = 0; at < Math.min(64, bytes.length); at++) {
        for (let k = 0; k < 8; k++) {
          const m = bytes.slice();
          m[at] = Math.floor(rand() * 256);
          const v = wasm.checkImage(b64(m), POLICY.DEFAULT);
          assert.ok(v >= 0 && v <= 4);
        }
      }
    });
    it(`${name}: the whole payload is validated, not just the header`, () => {
      const s = b64(bytes);
      const broken = `${s.slice(0, s.length - 8)}!${s.slice(s.length - 7)}`;
      expectImage(s, POLICY.DEFAULT, "Ok");
      expectImage(broken, POLICY.DEFAULT, "Malformed");
      expectImage(`${s.slice(0, 4)}\n${s.slice(4)}`, POLICY.DEFAULT, "Malformed");
    });
  }
});
