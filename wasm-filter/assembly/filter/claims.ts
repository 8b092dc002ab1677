// Reads verified JWT claims from Envoy's dynamic metadata, where jwt_authn (payload_in_metadata)
// left them. Clients cannot write metadata; headers are never consulted for identity.
// Property paths are serialized once per VM (claimPath) so a request only copies bytes.
import { deserializePairs, getPropertyBytes, lastStatus, serializePropertyPath, WasmResult } from "../abi";

/** Why a claim read gave nothing: absent (not authenticated / no such claim) or a host failure. */
export enum ClaimStatus {
  Ok = 0,
  Missing = 1,
  Failed = 2,
}

const MAX_LIST = 64;

/** The NUL-separated property path of a claim (`a.b` → prefix…, a, b). */
export function claimPath(prefix: string[], claim: string): ArrayBuffer {
  return serializePropertyPath(prefix.concat(claim.split(".")));
}

/** `path` + NUL + decimal index: the path of a list element. */
function elementPath(path: ArrayBuffer, index: i32): ArrayBuffer {
  const digits = index < 10 ? 1 : 2;
  const n = path.byteLength;
  const out = new ArrayBuffer(n + 1 + digits);
  const p = changetype<usize>(out);
  memory.copy(p, changetype<usize>(path), <usize>n);
  store<u8>(p + <usize>n, 0);
  if (digits == 1) store<u8>(p + <usize>n + 1, <u8>(0x30 + index));
  else {
    store<u8>(p + <usize>n + 1, <u8>(0x30 + index / 10));
    store<u8>(p + <usize>n + 2, <u8>(0x30 + (index % 10)));
  }
  return out;
}

/**
 * The elements of a list property as Envoy serializes it: a pairs block whose keys are the
 * elements and whose values are empty. Null when the bytes are anything else (a map, damage).
 */
function listElements(block: ArrayBuffer): string[] | null {
  if (block.byteLength < 4) return null;
  const pairs = deserializePairs(block);
  if (<u32>pairs.length != load<u32>(changetype<usize>(block))) return null;
  const out = new Array<string>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const p = unchecked(pairs[i]);
    if (p.value.length != 0) return null;
    unchecked((out[i] = p.key));
  }
  return out;
}

export class ClaimReader {
  status: ClaimStatus = ClaimStatus.Ok;

  private read(path: ArrayBuffer): ArrayBuffer | null {
    const v = getPropertyBytes(path);
    if (v === null) this.status = lastStatus == WasmResult.NotFound ? ClaimStatus.Missing : ClaimStatus.Failed;
    else this.status = ClaimStatus.Ok;
    return v;
  }

  /** A string claim; null when absent. */
  getString(path: ArrayBuffer): string | null {
    const v = this.read(path);
    return v === null ? null : String.UTF8.decode(v);
  }

  /**
   * A list claim (strings), or a space-separated string claim split. Reading element 0 tells a
   * list from a string (a string has no elements); Envoy then returns the whole list in one more
   * read, however long. Element-by-element reads remain for a host that cannot.
   */
  getStrings(path: ArrayBuffer): string[] {
    const out = new Array<string>();
    const first = this.read(elementPath(path, 0));
    if (first !== null) {
      const whole = this.read(path);
      const items: string[] | null = whole === null ? null : listElements(whole);
      if (items !== null) return items;
      out.push(String.UTF8.decode(first));
      for (let i = 1; i < MAX_LIST; i++) {
        const item = this.read(elementPath(path, i));
        if (item === null) break;
        out.push(String.UTF8.decode(item));
      }
      return out;
    }
    const s = this.getString(path);
    if (s === null) return out;
    const parts = s.split(" ");
    for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) out.push(parts[i]);
    return out;
  }
}
