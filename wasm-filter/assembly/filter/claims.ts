// Reads verified JWT claims from Envoy's dynamic metadata, where jwt_authn (payload_in_metadata)
// left them. Clients cannot write metadata; headers are never consulted for identity.
import { getProperty, lastStatus, WasmResult } from "../abi";

/** Why a claim read gave nothing: absent (not authenticated / no such claim) or a host failure. */
export enum ClaimStatus {
  Ok = 0,
  Missing = 1,
  Failed = 2,
}

const MAX_LIST = 64;

export class ClaimReader {
  status: ClaimStatus = ClaimStatus.Ok;

  constructor(private prefix: string[]) {}

  private read(path: string[]): ArrayBuffer | null {
    const full = this.prefix.concat(path);
    const v = getProperty(full);
    if (v === null) this.status = lastStatus == WasmResult.NotFound ? ClaimStatus.Missing : ClaimStatus.Failed;
    else this.status = ClaimStatus.Ok;
    return v;
  }

  /** A string claim; null when absent. */
  getString(path: string[]): string | null {
    const v = this.read(path);
    return v === null ? null : String.UTF8.decode(v);
  }

  /** A list claim read element by element (strings), or a space-separated string claim split. */
  getStrings(path: string[]): string[] {
    const out = new Array<string>();
    for (let i = 0; i < MAX_LIST; i++) {
      const item = this.read(path.concat([i.toString()]));
      if (item === null) break;
      out.push(String.UTF8.decode(item));
    }
    if (out.length > 0) return out;
    const s = this.getString(path);
    if (s === null) return out;
    const parts = s.split(" ");
    for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) out.push(parts[i]);
    return out;
  }
}
