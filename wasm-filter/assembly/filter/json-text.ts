// Minimal JSON text building for audit lines and error bodies, without a DOM.

const HEX = "0123456789abcdef";

/** `s` as a JSON string literal, quotes included. */
export function quote(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x22 || c == 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      needs = true;
      break;
    }
  }
  if (!needs) return '"' + s + '"';
  const parts = new Array<string>();
  parts.push('"');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) parts.push('\\"');
    else if (c == 0x5c) parts.push("\\\\");
    else if (c == 0x0a) parts.push("\\n");
    else if (c == 0x0d) parts.push("\\r");
    else if (c == 0x09) parts.push("\\t");
    else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) {
      // Control characters and (possibly lone) surrogates are escaped so the line stays valid.
      parts.push("\\u" + HEX.charAt((c >> 12) & 0xf) + HEX.charAt((c >> 8) & 0xf) + HEX.charAt((c >> 4) & 0xf) + HEX.charAt(c & 0xf));
    } else parts.push(String.fromCharCode(c));
  }
  parts.push('"');
  return parts.join("");
}

/** Builds `{"k":v,...}` from pre-rendered values. */
export class ObjectText {
  private parts: string[] = [];

  str(key: string, value: string): ObjectText {
    this.parts.push(quote(key) + ":" + quote(value));
    return this;
  }

  num(key: string, value: i64): ObjectText {
    this.parts.push(quote(key) + ":" + value.toString());
    return this;
  }

  bool(key: string, value: bool): ObjectText {
    this.parts.push(quote(key) + ":" + (value ? "true" : "false"));
    return this;
  }

  raw(key: string, json: string): ObjectText {
    this.parts.push(quote(key) + ":" + json);
    return this;
  }

  toString(): string {
    return "{" + this.parts.join(",") + "}";
  }
}
