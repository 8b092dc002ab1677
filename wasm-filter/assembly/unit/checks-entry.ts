// Test entry for the pure checks (ssrf, image) and their utilities (glob, base64).
// Not a filter: it exports plain functions over one shared input buffer so Node
// tests and benches can drive the compiled code directly.
//
// Protocol: ptr = alloc(len); write len bytes (UTF-8) at ptr; call a function with
// len. Functions that produce bytes write them at out_ptr() and return a length.
// Policies are set once by id from a small text format (one key=value per line).
import { PatternSet } from "../util/pattern-set";
import { ParsedUrl, UrlPolicy, UrlVerdict, checkUrl, parseUrl } from "../checks/ssrf";
import { ImageInfo, ImagePolicy, checkImage, checkImageInfo } from "../checks/image";
import { containsGlobFold, globMatch, globMatchFold, hostMatches } from "../util/glob";
import { base64Decode, base64DecodePrefix, base64DecodedLength, base64Valid } from "../util/base64";

let input = new Uint8Array(64 * 1024);
let output = new Uint8Array(64 * 1024);
let prepared: string = "";
const urlPolicies = new Map<i32, UrlPolicy>();
const imagePolicies = new Map<i32, ImagePolicy>();

export function alloc(len: i32): usize {
  if (len > input.length) input = new Uint8Array(len);
  return input.dataStart;
}

export function out_ptr(): usize {
  return output.dataStart;
}

function readInput(len: i32): string {
  if (len < 0) len = 0;
  if (len > input.length) len = input.length;
  return String.UTF8.decodeUnsafe(input.dataStart, <usize>len);
}

function writeOutput(bytes: Uint8Array): i32 {
  if (bytes.length > output.length) output = new Uint8Array(bytes.length);
  memory.copy(output.dataStart, bytes.dataStart, <usize>bytes.length);
  return bytes.length;
}

function writeString(s: string): i32 {
  return writeOutput(Uint8Array.wrap(String.UTF8.encode(s)));
}

function splitList(v: string): Array<string> {
  const out = new Array<string>(0);
  if (v.length == 0) return out;
  const parts = v.split(",");
  for (let i = 0; i < parts.length; i++) out.push(parts[i]);
  return out;
}

/** Policy text: lines `schemes=a,b`, `hosts=x,y`, `private=0|1`. */
export function set_url_policy(id: i32, len: i32): void {
  const p = new UrlPolicy();
  const lines = readInput(len).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.substring(0, eq);
    const value = line.substring(eq + 1);
    if (key == "schemes") p.allowedSchemes = splitList(value);
    else if (key == "hosts") p.allowedHosts = splitList(value);
    else if (key == "private") p.denyPrivateAddresses = value == "1";
  }
  urlPolicies.set(id, p);
}

/** Policy text: `formats=png,jpeg`, `maxBytes=`, `maxWidth=`, `maxHeight=`, `maxPixels=`. */
export function set_image_policy(id: i32, len: i32): void {
  const p = new ImagePolicy();
  const lines = readInput(len).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.substring(0, eq);
    const value = line.substring(eq + 1);
    if (key == "formats") p.formats = splitList(value);
    else if (key == "maxBytes") p.maxDecodedBytes = I64.parseInt(value);
    else if (key == "maxWidth") p.maxWidth = I32.parseInt(value);
    else if (key == "maxHeight") p.maxHeight = I32.parseInt(value);
    else if (key == "maxPixels") p.maxPixels = I64.parseInt(value);
  }
  imagePolicies.set(id, p);
}

export function check_url(len: i32, policyId: i32): i32 {
  if (!urlPolicies.has(policyId)) return -1;
  return <i32>checkUrl(readInput(len), urlPolicies.get(policyId));
}

/** Canonical host written to out; returns its length, or -1 when parseUrl is not Ok. */
export function url_host(len: i32): i32 {
  const parsed = new ParsedUrl();
  if (parseUrl(readInput(len), parsed) != UrlVerdict.Ok) return -1;
  return writeString(parsed.host);
}

/** Port of a parsable URL (-1 none), or -2 when not parsable. */
export function url_port(len: i32): i32 {
  const parsed = new ParsedUrl();
  if (parseUrl(readInput(len), parsed) != UrlVerdict.Ok) return -2;
  return parsed.port;
}

export function check_image(len: i32, policyId: i32): i32 {
  if (!imagePolicies.has(policyId)) return -1;
  return <i32>checkImage(readInput(len), imagePolicies.get(policyId));
}

/** Verdict; out gets f64 width, f64 height, f64 format, f64 decodedBytes. */
export function image_info(len: i32, policyId: i32): i32 {
  if (!imagePolicies.has(policyId)) return -1;
  const info = new ImageInfo();
  const verdict = checkImageInfo(readInput(len), imagePolicies.get(policyId), info);
  const base = output.dataStart;
  store<f64>(base, <f64>info.width);
  store<f64>(base + 8, <f64>info.height);
  store<f64>(base + 16, <f64>info.format);
  store<f64>(base + 24, <f64>info.decodedBytes);
  return <i32>verdict;
}

/** Input `pattern\0text`. kind 0 globMatch, 1 globMatchFold, 2 containsGlobFold(text, pattern), 3 hostMatches,
 *  4 PatternSet (patterns separated by \x01) found in text. */
export function glob(len: i32, kind: i32): i32 {
  const s = readInput(len);
  const nul = s.indexOf("\0");
  if (nul < 0) return -1;
  const pattern = s.substring(0, nul);
  const text = s.substring(nul + 1);
  if (kind == 0) return globMatch(pattern, text) ? 1 : 0;
  if (kind == 1) return globMatchFold(pattern, text) ? 1 : 0;
  if (kind == 2) return containsGlobFold(text, pattern) ? 1 : 0;
  if (kind == 3) return hostMatches(pattern, text) ? 1 : 0;
  if (kind == 4) {
    const set = new PatternSet();
    const parts = pattern.split("\x01");
    for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) set.add(parts[i]);
    return set.foundIn(text) ? 1 : 0;
  }
  return -1;
}

export function b64_length(len: i32): f64 {
  return <f64>base64DecodedLength(readInput(len));
}

export function b64_valid(len: i32): i32 {
  return base64Valid(readInput(len)) ? 1 : 0;
}

/** Decoded bytes to out; length, or -1 when invalid or over max. */
export function b64_decode(len: i32, max: f64): i32 {
  const bytes = base64Decode(readInput(len), <i64>max);
  if (bytes === null) return -1;
  return writeOutput(bytes);
}

export function b64_prefix(len: i32, n: i32): i32 {
  const bytes = base64DecodePrefix(readInput(len), n);
  if (bytes === null) return -1;
  return writeOutput(bytes);
}

// Bench helpers: decode the input string once, then time only the check.
export function prepare(len: i32): void {
  prepared = readInput(len);
}

export function check_url_prepared(policyId: i32): i32 {
  if (!urlPolicies.has(policyId)) return -1;
  return <i32>checkUrl(prepared, urlPolicies.get(policyId));
}

export function check_image_prepared(policyId: i32): i32 {
  if (!imagePolicies.has(policyId)) return -1;
  return <i32>checkImage(prepared, imagePolicies.get(policyId));
}
