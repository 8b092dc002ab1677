/**
 * Walks JSON text in document order and hands every number and string value (never a key) to a
 * visitor. It accepts exactly what the filter's parser accepts (wasm-filter/assembly/json): strict
 * RFC 8259, whitespace only space/tab/LF/CR, any top-level value, and it refuses duplicate keys,
 * numbers beyond the f64 range and lone surrogates. `JSON.parse` cannot be used: it reorders
 * integer-like keys, keeps duplicate keys and turns 1e999 into Infinity.
 */
export interface JsonLeafVisitor {
  number(value: number): void;
  string(value: string): void;
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// eslint-disable-next-line no-control-regex -- RFC 8259 forbids raw control characters in strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Returns false when `text` is not JSON; the visitor may have seen a prefix of the leaves by
 * then, so callers discard what they accumulated.
 */
export function visitJsonLeaves(text: string, visitor: JsonLeafVisitor): boolean {
  // Raw lone surrogates cannot come from UTF-8 bytes; escaped ones are checked after decoding.
  if (LONE_SURROGATE.test(text)) return false;
  let pos = 0;
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];

  const skipWhitespace = () => {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.exec(text);
    pos = WHITESPACE.lastIndex;
  };
  const readString = (): string | undefined => {
    STRING.lastIndex = pos;
    const m = STRING.exec(text);
    if (m === null) return undefined;
    pos = STRING.lastIndex;
    const raw = m[0];
    if (!raw.includes("\\")) return raw.slice(1, -1);
    const decoded = JSON.parse(raw) as string;
    return LONE_SURROGATE.test(decoded) ? undefined : decoded;
  };
  const readMember = (keys: Set<string>): boolean => {
    skipWhitespace();
    const key = readString();
    if (key === undefined || keys.has(key)) return false;
    keys.add(key);
    skipWhitespace();
    if (text.charCodeAt(pos) !== 0x3a /* : */) return false;
    pos++;
    return true;
  };
  const readLiteral = (word: string): boolean => {
    if (!text.startsWith(word, pos)) return false;
    pos += word.length;
    return true;
  };

  for (;;) {
    // A value starts here.
    skipWhitespace();
    const c = text.charCodeAt(pos);
    if (c === 0x7b /* { */) {
      pos++;
      skipWhitespace();
      if (text.charCodeAt(pos) === 0x7d /* } */) {
        pos++;
      } else {
        const keys = new Set<string>();
        open.push(keys);
        if (!readMember(keys)) return false;
        continue;
      }
    } else if (c === 0x5b /* [ */) {
      pos++;
      skipWhitespace();
      if (text.charCodeAt(pos) === 0x5d /* ] */) {
        pos++;
      } else {
        open.push(null);
        continue;
      }
    } else if (c === 0x22 /* " */) {
      const s = readString();
      if (s === undefined) return false;
      visitor.string(s);
    } else if (c === 0x74 /* t */) {
      if (!readLiteral("true")) return false;
    } else if (c === 0x66 /* f */) {
      if (!readLiteral("false")) return false;
    } else if (c === 0x6e /* n */) {
      if (!readLiteral("null")) return false;
    } else {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (m === null) return false;
      pos = NUMBER.lastIndex;
      const v = Number(m[0]);
      if (!Number.isFinite(v)) return false;
      visitor.number(v);
    }

    // A value ended: close containers until one continues with another element.
    for (;;) {
      skipWhitespace();
      if (open.length === 0) return pos === text.length;
      const keys = open[open.length - 1] as Set<string> | null;
      const ch = text.charCodeAt(pos);
      if (ch === 0x2c /* , */) {
        pos++;
        if (keys !== null && !readMember(keys)) return false;
        break;
      }
      if (ch !== (keys === null ? 0x5d /* ] */ : 0x7d) /* } */) return false;
      pos++;
      open.pop();
    }
  }
}
