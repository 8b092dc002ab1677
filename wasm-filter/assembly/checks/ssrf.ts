// SSRF check for URLs found in request payloads (image_url, document URLs, tool
// arguments). Pure: no host calls, no I/O, never throws; every input yields a verdict.
//
// The URL is parsed the way a fetching client would parse it (WHATWG URL for
// browsers and Node, curl, Python requests/urllib3 + getaddrinfo), and wherever
// those parsers disagree the URL is rejected instead of guessed:
//  - No control characters, no space or other whitespace, no DEL, no backslash,
//    anywhere (WHATWG strips/ignores some of them and reads `\` as `/`).
//  - `scheme://authority` with exactly the two slashes (WHATWG tolerates `http:host`,
//    `http:/host` and `http:///host`; curl does not). URLs longer than MAX_URL_LENGTH
//    (8192) and schemes longer than 32 characters are Malformed. All schemes are
//    parsed alike (as WHATWG parses special schemes): `s3://0x7f.1/` is 127.0.0.1
//    here even though WHATWG keeps an opaque host for non-special schemes.
//  - Userinfo is rejected: any `@` in the authority makes the URL Malformed, so
//    `https://good.example.com@evil.com` never has to be interpreted. (`#@good…`
//    is fine: the authority ends at `#`, and the host is what precedes it.)
//  - The host must be ASCII `[A-Za-z0-9._-]`, or an IPv6 literal in brackets. No
//    `%` anywhere in the authority: percent-encoded host bytes (which WHATWG would
//    decode) and IPv6 zone ids (`[fe80::1%25eth0]`) are Malformed. Non-ASCII (IDN)
//    hosts are Malformed: send them as punycode (`xn--`). This also stops
//    full-width digits that IDNA maps to ASCII (`１２７.０.０.１`).
//  - The host is lower-cased and one trailing dot is removed. Empty labels
//    (`a..b`, `.a`, a second trailing dot), labels over 63 and names over 253
//    characters are Malformed.
//  - A port must be 1–65535 (leading zeros allowed); `host:` with an empty port is
//    Malformed.
//  - IPv4: exactly as WHATWG decides (its rules match inet_aton / getaddrinfo):
//    if the last label is all digits or `0x…`, the whole host is an IPv4 address
//    in any inet_aton form — 1 to 4 parts, each decimal, octal (leading 0) or hex
//    (0x), the last part filling the remaining bytes (`2130706433`, `0x7f.1`,
//    `0177.0.0.1`, `127.1`) — and it is Malformed if that fails (`1.2.3.09`,
//    `foo.1`, `1.2.3.4.5`, `256.1.1.1`).
//  - IPv6: the WHATWG parser (compression, embedded dotted quad in the last 32
//    bits). The canonical host is WHATWG's serialisation in brackets.
//
// With denyPrivateAddresses, denied addresses are the special-purpose ranges of
// IPv4 (see V4_DENY) and IPv6 (see isPrivateV6), including IPv4 embedded in
// IPv6 through mapping, translation, NAT64, 6to4 and Teredo; and these names:
// single-label names (they resolve through search domains to in-cluster services;
// this includes `localhost`), `*.localhost`, `*.local` (which covers
// `*.cluster.local` and `*.svc.cluster.local`), `*.internal` (covers
// `metadata.google.internal`), `*.localdomain`, `*.svc`, `*.home.arpa`, `*.lan`,
// `*.intranet`, `*.corp`, `*.private`, and the public wildcard-DNS services that
// answer with the IP written in the name (`*.nip.io`, `*.sslip.io`, `*.xip.io`,
// `localtest.me`, `lvh.me` and their subdomains) — best effort only.
//
// LIMIT (cannot be fixed here): a DNS name can resolve to a private address
// (an attacker's own zone, DNS rebinding between check and fetch). The filter sees
// names, not resolutions. The host allowlist (allowedHosts) is the real defence;
// denyPrivateAddresses only catches literals and well-known names.
//
// Verdict order: Malformed (syntax) / SchemeDenied as found while parsing left to
// right (scheme first), then PrivateAddress, then HostDenied (allowlist).
import { equalsFold, foldAscii, hexValue, isAlpha, isDigit, lowerAscii } from "../util/ascii";
import { hostMatches } from "../util/glob";

export enum UrlVerdict {
  Ok = 0,
  Malformed = 1,
  SchemeDenied = 2,
  HostDenied = 3,
  PrivateAddress = 4,
}

export class UrlPolicy {
  /** Lowercase scheme names. Empty means `http` and `https`. */
  allowedSchemes: Array<string> = new Array<string>(0);
  /** Host patterns (see util/glob.ts hostMatches): `example.com`, `*.example.com`,
   *  `*`, an IPv4 literal in dotted decimal, or an IPv6 literal in canonical
   *  bracketed form. Empty means any host that passes the private-address check. */
  allowedHosts: Array<string> = new Array<string>(0);
  denyPrivateAddresses: bool = true;
}

export enum HostKind {
  Name = 0,
  IPv4 = 1,
  IPv6 = 2,
}

export const MAX_URL_LENGTH: i32 = 8192;
export const MAX_SCHEME_LENGTH: i32 = 32;

/** The parts of a URL that the check needs, canonicalised. */
export class ParsedUrl {
  scheme: string = "";
  /** Lowercase name without trailing dot, dotted-decimal IPv4, or `[v6]`. */
  host: string = "";
  kind: HostKind = HostKind.Name;
  /** -1 when absent. */
  port: i32 = -1;
  v4: u32 = 0;
  v6: StaticArray<u16> = new StaticArray<u16>(8);
}

/** Decides one URL. Never throws. */
export function checkUrl(url: string, policy: UrlPolicy): UrlVerdict {
  const parsed = new ParsedUrl();
  const syntax = parseUrlInto(url, parsed, policy.allowedSchemes);
  if (syntax != UrlVerdict.Ok) return syntax;
  if (policy.denyPrivateAddresses && isPrivateHost(parsed)) return UrlVerdict.PrivateAddress;
  const hosts = policy.allowedHosts;
  if (hosts.length == 0) return UrlVerdict.Ok;
  const isIp = parsed.kind != HostKind.Name;
  for (let i = 0; i < hosts.length; i++) {
    if (hostMatches(unchecked(hosts[i]), parsed.host, isIp)) return UrlVerdict.Ok;
  }
  return UrlVerdict.HostDenied;
}

/** Parses without any scheme restriction: Ok or Malformed. */
export function parseUrl(url: string, out: ParsedUrl): UrlVerdict {
  return parseUrlInto(url, out, null);
}

/**
 * Parses into `out`. With `schemes` non-null, a scheme outside it (empty = http,
 * https) gives SchemeDenied as soon as the scheme is read.
 */
function parseUrlInto(url: string, out: ParsedUrl, schemes: Array<string> | null): UrlVerdict {
  const n = url.length;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  let i = 0;
  if (n == 0 || !isAlpha(url.charCodeAt(0))) return UrlVerdict.Malformed;
  while (i < n) {
    const c = url.charCodeAt(i);
    if (c == 0x3a) break;
    if (!(isAlpha(c) || isDigit(c) || c == 0x2b || c == 0x2d || c == 0x2e)) return UrlVerdict.Malformed;
    if (++i > MAX_SCHEME_LENGTH) return UrlVerdict.Malformed;
  }
  if (i >= n) return UrlVerdict.Malformed; // no ':' — a relative reference
  const scheme = lowerAscii(url.substring(0, i));
  out.scheme = scheme;
  if (schemes !== null && !schemeAllowed(scheme, schemes)) return UrlVerdict.SchemeDenied;
  if (n > MAX_URL_LENGTH) return UrlVerdict.Malformed;
  // Whole-string character screen.
  for (let j = 0; j < n; j++) {
    const c = url.charCodeAt(j);
    if (c <= 0x20 || c == 0x7f || c == 0x5c) return UrlVerdict.Malformed;
    // C1 controls and Unicode whitespace/format characters some parsers strip.
    if (c >= 0x80 && (c <= 0x9f || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200f) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff)) {
      return UrlVerdict.Malformed;
    }
  }
  // Exactly "//" then the authority.
  i++;
  if (i + 1 >= n || url.charCodeAt(i) != 0x2f || url.charCodeAt(i + 1) != 0x2f) return UrlVerdict.Malformed;
  i += 2;
  const authStart = i;
  while (i < n) {
    const c = url.charCodeAt(i);
    if (c == 0x2f || c == 0x3f || c == 0x23) break;
    if (c == 0x40 || c == 0x25 || c >= 0x80) return UrlVerdict.Malformed; // userinfo, %-encoding, non-ASCII
    i++;
  }
  const authEnd = i;
  if (authEnd == authStart) return UrlVerdict.Malformed; // empty host (includes "http:///x")

  let hostStart = authStart;
  let hostEnd = authEnd;
  let portStart = -1;
  if (url.charCodeAt(authStart) == 0x5b) {
    // [IPv6]
    let close = -1;
    for (let j = authStart + 1; j < authEnd; j++) {
      if (url.charCodeAt(j) == 0x5d) {
        close = j;
        break;
      }
    }
    if (close < 0) return UrlVerdict.Malformed;
    if (close + 1 < authEnd) {
      if (url.charCodeAt(close + 1) != 0x3a) return UrlVerdict.Malformed;
      portStart = close + 2;
    }
    if (!parseIPv6(url, authStart + 1, close, out.v6)) return UrlVerdict.Malformed;
    out.kind = HostKind.IPv6;
    out.host = serializeIPv6(out.v6);
  } else {
    for (let j = authStart; j < authEnd; j++) {
      if (url.charCodeAt(j) == 0x3a) {
        hostEnd = j;
        portStart = j + 1;
        break;
      }
    }
    const verdict = parseHostName(url, hostStart, hostEnd, out);
    if (verdict != UrlVerdict.Ok) return verdict;
  }
  if (portStart >= 0) {
    const port = parsePort(url, portStart, authEnd);
    if (port < 0) return UrlVerdict.Malformed;
    out.port = port;
  }
  return UrlVerdict.Ok;
}

function schemeAllowed(scheme: string, schemes: Array<string>): bool {
  if (schemes.length == 0) return scheme == "http" || scheme == "https";
  for (let i = 0; i < schemes.length; i++) {
    if (equalsFold(unchecked(schemes[i]), scheme)) return true;
  }
  return false;
}

/** 1..65535 from url[start..end), or -1. */
function parsePort(url: string, start: i32, end: i32): i32 {
  if (start >= end) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = url.charCodeAt(i);
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - 0x30);
    if (value > 65535) return -1;
  }
  return value == 0 ? -1 : value;
}

/** Validates and canonicalises a non-bracketed host; detects IPv4 in all its forms. */
function parseHostName(url: string, start: i32, end: i32, out: ParsedUrl): UrlVerdict {
  // One trailing dot is the DNS root: drop it.
  if (end > start && url.charCodeAt(end - 1) == 0x2e) end--;
  if (end <= start) return UrlVerdict.Malformed;
  if (end - start > 253) return UrlVerdict.Malformed;
  let labelStart = start;
  let lastLabel = start;
  for (let i = start; i <= end; i++) {
    const c = i < end ? url.charCodeAt(i) : 0x2e;
    if (c == 0x2e) {
      const len = i - labelStart;
      if (len == 0 || len > 63) return UrlVerdict.Malformed;
      lastLabel = labelStart;
      labelStart = i + 1;
      continue;
    }
    if (!(isAlpha(c) || isDigit(c) || c == 0x2d || c == 0x5f)) return UrlVerdict.Malformed;
  }
  if (endsInNumber(url, lastLabel, end)) {
    const v4 = parseIPv4(url, start, end);
    if (v4 < 0) return UrlVerdict.Malformed;
    out.kind = HostKind.IPv4;
    out.v4 = <u32>v4;
    out.host = formatIPv4(<u32>v4);
    return UrlVerdict.Ok;
  }
  out.kind = HostKind.Name;
  out.host = lowerAscii(url.substring(start, end));
  return UrlVerdict.Ok;
}

/** WHATWG "ends in a number": the last label is all digits, or 0x/0X + hex digits. */
function endsInNumber(url: string, start: i32, end: i32): bool {
  if (start >= end) return false;
  let allDigits = true;
  for (let i = start; i < end; i++) {
    if (!isDigit(url.charCodeAt(i))) {
      allDigits = false;
      break;
    }
  }
  if (allDigits) return true;
  if (end - start >= 2 && url.charCodeAt(start) == 0x30 && foldAscii(url.charCodeAt(start + 1)) == 0x78) {
    for (let i = start + 2; i < end; i++) {
      if (hexValue(url.charCodeAt(i)) < 0) return false;
    }
    return true;
  }
  return false;
}

/** inet_aton / WHATWG IPv4 over url[start..end) (trailing dot already removed): the address, or -1. */
function parseIPv4(url: string, start: i32, end: i32): i64 {
  const parts = new StaticArray<i64>(4);
  let count = 0;
  let p = start;
  while (p <= end) {
    let q = p;
    while (q < end && url.charCodeAt(q) != 0x2e) q++;
    if (count == 4) return -1;
    const v = parseIPv4Number(url, p, q);
    if (v < 0) return -1;
    unchecked((parts[count] = v));
    count++;
    p = q + 1;
  }
  if (count == 0) return -1;
  let addr: i64 = 0;
  for (let k = 0; k < count - 1; k++) {
    const v = unchecked(parts[k]);
    if (v > 255) return -1;
    addr |= v << (<i64>(24 - 8 * k));
  }
  const last = unchecked(parts[count - 1]);
  const limit: i64 = <i64>1 << (<i64>(8 * (5 - count)));
  if (last >= limit) return -1;
  return addr | last;
}

/** One inet_aton part: decimal, 0-prefixed octal, 0x-prefixed hex ("0x" alone = 0). -1 on error or > 2^32-1. */
function parseIPv4Number(url: string, start: i32, end: i32): i64 {
  if (start >= end) return -1;
  let radix = 10;
  if (end - start >= 2 && url.charCodeAt(start) == 0x30 && foldAscii(url.charCodeAt(start + 1)) == 0x78) {
    radix = 16;
    start += 2;
  } else if (end - start >= 2 && url.charCodeAt(start) == 0x30) {
    radix = 8;
    start += 1;
  }
  let v: i64 = 0;
  for (let i = start; i < end; i++) {
    const d = hexValue(url.charCodeAt(i));
    if (d < 0 || d >= radix) return -1;
    v = v * radix + d;
    if (v > 0xffffffff) return -1;
  }
  return v;
}

/** WHATWG IPv6 parser over url[start..end) into 8 pieces. false on any error. */
function parseIPv6(url: string, start: i32, end: i32, address: StaticArray<u16>): bool {
  for (let k = 0; k < 8; k++) unchecked((address[k] = 0));
  let pieceIndex = 0;
  let compress = -1;
  let p = start;
  // c(p): code unit or -1 at/after end
  if (p < end && url.charCodeAt(p) == 0x3a) {
    if (p + 1 >= end || url.charCodeAt(p + 1) != 0x3a) return false;
    p += 2;
    pieceIndex++;
    compress = pieceIndex;
  }
  while (p < end) {
    if (pieceIndex == 8) return false;
    if (url.charCodeAt(p) == 0x3a) {
      if (compress != -1) return false;
      p++;
      pieceIndex++;
      compress = pieceIndex;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && p < end && hexValue(url.charCodeAt(p)) >= 0) {
      value = value * 16 + hexValue(url.charCodeAt(p));
      p++;
      length++;
    }
    if (p < end && url.charCodeAt(p) == 0x2e) {
      if (length == 0) return false;
      p -= length;
      if (pieceIndex > 6) return false;
      let numbersSeen = 0;
      while (p < end) {
        let piece = -1;
        if (numbersSeen > 0) {
          if (url.charCodeAt(p) == 0x2e && numbersSeen < 4) p++;
          else return false;
        }
        if (p >= end || !isDigit(url.charCodeAt(p))) return false;
        while (p < end && isDigit(url.charCodeAt(p))) {
          const d = url.charCodeAt(p) - 0x30;
          if (piece == -1) piece = d;
          else if (piece == 0) return false;
          else piece = piece * 10 + d;
          if (piece > 255) return false;
          p++;
        }
        if (pieceIndex > 7) return false;
        unchecked((address[pieceIndex] = <u16>(<i32>unchecked(address[pieceIndex]) * 0x100 + piece)));
        numbersSeen++;
        if (numbersSeen == 2 || numbersSeen == 4) pieceIndex++;
      }
      if (numbersSeen != 4) return false;
      break;
    } else if (p < end && url.charCodeAt(p) == 0x3a) {
      p++;
      if (p >= end) return false;
    } else if (p < end) {
      return false;
    }
    if (pieceIndex > 7) return false;
    unchecked((address[pieceIndex] = <u16>value));
    pieceIndex++;
  }
  if (compress != -1) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex != 0 && swaps > 0) {
      const a = compress + swaps - 1;
      if (a < 0 || a > 7) return false;
      const t = unchecked(address[pieceIndex]);
      unchecked((address[pieceIndex] = unchecked(address[a])));
      unchecked((address[a] = t));
      pieceIndex--;
      swaps--;
    }
  } else if (pieceIndex != 8) {
    return false;
  }
  return true;
}

/** WHATWG IPv6 serialisation, bracketed: lowercase hex, longest zero run (>= 2) compressed. */
export function serializeIPv6(a: StaticArray<u16>): string {
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let k = 0; k <= 8; k++) {
    if (k < 8 && unchecked(a[k]) == 0) {
      if (runStart < 0) runStart = k;
    } else if (runStart >= 0) {
      const len = k - runStart;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
      runStart = -1;
    }
  }
  let s = "[";
  let ignore0 = false;
  for (let k = 0; k < 8; k++) {
    if (ignore0 && unchecked(a[k]) == 0) continue;
    ignore0 = false;
    if (k == bestStart) {
      s += k == 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    s += (<u32>unchecked(a[k])).toString(16);
    if (k != 7) s += ":";
  }
  return s + "]";
}

export function formatIPv4(v: u32): string {
  return (v >>> 24).toString() + "." + ((v >>> 16) & 0xff).toString() + "." + ((v >>> 8) & 0xff).toString() + "." + (v & 0xff).toString();
}

// --- private ranges ------------------------------------------------------------

// (network, prefix length) pairs of IPv4 space that must not be fetched.
const V4_DENY: StaticArray<u32> = [
  0x00000000, 8, // 0.0.0.0/8 "this network"
  0x0a000000, 8, // 10/8 private
  0x64400000, 10, // 100.64/10 CGNAT (incl. Alibaba metadata 100.100.100.200)
  0x7f000000, 8, // 127/8 loopback
  0xa9fe0000, 16, // 169.254/16 link-local (incl. 169.254.169.254 cloud metadata)
  0xac100000, 12, // 172.16/12 private
  0xc0000000, 24, // 192.0.0/24 IETF protocol assignments
  0xc0000200, 24, // 192.0.2/24 TEST-NET-1
  0xc0586300, 24, // 192.88.99/24 6to4 relay anycast (deprecated)
  0xc0a80000, 16, // 192.168/16 private
  0xc6120000, 15, // 198.18/15 benchmarking
  0xc6336400, 24, // 198.51.100/24 TEST-NET-2
  0xcb007100, 24, // 203.0.113/24 TEST-NET-3
  0xe0000000, 4, // 224/4 multicast
  0xf0000000, 4, // 240/4 reserved, incl. 255.255.255.255 broadcast
];

export function isPrivateV4(a: u32): bool {
  for (let k = 0; k < V4_DENY.length; k += 2) {
    const net = unchecked(V4_DENY[k]);
    const bits = unchecked(V4_DENY[k + 1]);
    const mask: u32 = bits == 0 ? 0 : (<u32>0xffffffff) << (32 - bits);
    if ((a & mask) == net) return true;
  }
  return false;
}

/** IPv6 special-purpose space, and IPv4 embedded in IPv6 checked as IPv4. */
export function isPrivateV6(w: StaticArray<u16>): bool {
  const w0 = <u32>unchecked(w[0]);
  const w1 = <u32>unchecked(w[1]);
  const w2 = <u32>unchecked(w[2]);
  const w3 = <u32>unchecked(w[3]);
  const w4 = <u32>unchecked(w[4]);
  const w5 = <u32>unchecked(w[5]);
  const low32: u32 = (<u32>unchecked(w[6]) << 16) | <u32>unchecked(w[7]);
  const upper64zero = (w0 | w1 | w2 | w3) == 0;
  if (upper64zero && w4 == 0 && w5 == 0xffff) return isPrivateV4(low32); // ::ffff:a.b.c.d mapped
  if (upper64zero && w4 == 0xffff && w5 == 0) return isPrivateV4(low32); // ::ffff:0:a.b.c.d translated (SIIT)
  if (w0 == 0x64 && w1 == 0xff9b) {
    if ((w2 | w3 | w4 | w5) == 0) return isPrivateV4(low32); // 64:ff9b::/96 NAT64
    return true; // 64:ff9b:1::/48 local-use NAT64 and the rest of 64:ff9b::/32
  }
  if (w0 < 0x100) return true; // rest of ::/8: ::, ::1, IPv4-compatible ::a.b.c.d, reserved
  if (w0 == 0x0100 && (w1 | w2 | w3) == 0) return true; // 100::/64 discard-only
  if (w0 == 0x2002) return isPrivateV4((w1 << 16) | w2); // 6to4 2002:V4ADDR::/48
  if (w0 == 0x2001) {
    if (w1 == 0) {
      // Teredo 2001::/32: server at bits 32..63, client = ~(low 32 bits)
      return isPrivateV4((w2 << 16) | w3) || isPrivateV4(~low32);
    }
    if (w1 == 0x0db8) return true; // 2001:db8::/32 documentation
    if (w1 == 0x0002 && w2 == 0) return true; // 2001:2::/48 benchmarking
  }
  if (w0 == 0x3fff && (w1 & 0xf000) == 0) return true; // 3fff::/20 documentation
  if ((w0 & 0xfe00) == 0xfc00) return true; // fc00::/7 unique local (incl. AWS fd00:ec2::254)
  if ((w0 & 0xffc0) == 0xfe80) return true; // fe80::/10 link-local
  if ((w0 & 0xffc0) == 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((w0 & 0xff00) == 0xff00) return true; // ff00::/8 multicast
  return false;
}

// Denied name suffixes (each with its leading dot) and exact names.
const NAME_SUFFIX_DENY: StaticArray<string> = [
  ".localhost",
  ".local", // mDNS; also *.cluster.local, *.svc.cluster.local
  ".internal", // metadata.google.internal, *.ec2.internal, …
  ".localdomain", // localhost.localdomain
  ".svc",
  ".home.arpa",
  ".lan",
  ".intranet",
  ".corp",
  ".private",
  // Public wildcard DNS that answers with the address written in the name.
  ".nip.io",
  ".sslip.io",
  ".xip.io",
  ".localtest.me",
  ".lvh.me",
];
const NAME_EXACT_DENY: StaticArray<string> = ["localtest.me", "lvh.me", "nip.io", "sslip.io", "xip.io"];

/** Denied DNS names (host already lowercase, no trailing dot). */
export function isPrivateName(host: string): bool {
  let dot = false;
  for (let i = 0; i < host.length; i++) {
    if (host.charCodeAt(i) == 0x2e) {
      dot = true;
      break;
    }
  }
  if (!dot) return true; // single label: search-domain expansion, localhost
  for (let k = 0; k < NAME_SUFFIX_DENY.length; k++) {
    if (host.endsWith(unchecked(NAME_SUFFIX_DENY[k]))) return true;
  }
  for (let k = 0; k < NAME_EXACT_DENY.length; k++) {
    if (host == unchecked(NAME_EXACT_DENY[k])) return true;
  }
  return false;
}

export function isPrivateHost(p: ParsedUrl): bool {
  if (p.kind == HostKind.IPv4) return isPrivateV4(p.v4);
  if (p.kind == HostKind.IPv6) return isPrivateV6(p.v6);
  return isPrivateName(p.host);
}
