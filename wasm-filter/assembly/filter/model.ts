// Finds the model a request is for, from the path (KServe v1, Open Inference Protocol v2).
// OpenAI-style requests name it in the body (`model`), read once the body is parsed.
import { Protocol } from "./config-types";

/** The path without its query string or fragment. */
export function pathOnly(path: string): string {
  let end = path.length;
  const q = path.indexOf("?");
  if (q >= 0) end = q;
  const h = path.indexOf("#");
  if (h >= 0 && h < end) end = h;
  return end == path.length ? path : path.substring(0, end);
}

const V1 = "/v1/models/";
const V2 = "/v2/models/";

/** `/v1/models/<m>:predict|:explain` or `/v1/models/<m>`; null when the path is not KServe v1. */
function kserveV1Model(path: string): string | null {
  if (!path.startsWith(V1)) return null;
  const rest = path.substring(V1.length);
  const colon = rest.indexOf(":");
  const name = colon >= 0 ? rest.substring(0, colon) : rest;
  return validName(name) ? name : null;
}

/** `/v2/models/<m>[/versions/<v>][/infer|/ready]`; null when the path is not OIP v2. */
function oipV2Model(path: string): string | null {
  if (!path.startsWith(V2)) return null;
  const rest = path.substring(V2.length);
  const slash = rest.indexOf("/");
  const name = slash >= 0 ? rest.substring(0, slash) : rest;
  return validName(name) ? name : null;
}

function validName(name: string): bool {
  if (name.length == 0 || name.length > 256) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // No separators, escapes or control characters: a name must not smuggle path segments.
    if (c <= 0x20 || c == 0x2f || c == 0x3f || c == 0x23 || c == 0x5c || c == 0x25 || c >= 0x7f) return false;
  }
  return true;
}

/** The model named by the path for this protocol, or null when the path names none. */
export function modelFromPath(protocol: Protocol, path: string): string | null {
  const p = pathOnly(path);
  if (protocol == Protocol.KServeV1) return kserveV1Model(p);
  if (protocol == Protocol.OIPV2) return oipV2Model(p);
  if (protocol == Protocol.Auto) {
    const v1 = kserveV1Model(p);
    return v1 !== null ? v1 : oipV2Model(p);
  }
  return null;
}

/** Whether the path is in a protocol's model namespace (so it must name a valid model). */
export function pathClaimsModel(protocol: Protocol, path: string): bool {
  const v1 = protocol == Protocol.KServeV1 || protocol == Protocol.Auto;
  const v2 = protocol == Protocol.OIPV2 || protocol == Protocol.Auto;
  return (v1 && path.startsWith(V1)) || (v2 && path.startsWith(V2));
}

/** Whether the model is expected in the body (OpenAI-style) when the path names none. */
export function modelInBody(protocol: Protocol): bool {
  return protocol == Protocol.OpenAI || protocol == Protocol.Auto;
}
