// The test signing keys as a JSON file: written where the policy is made (the laptop), read by
// the traffic runner inside the mesh, which mints its tokens with them.
import { exportJWK, importJWK } from "jose";
import type { JWK } from "jose";
import type { Keys, SigningKey } from "../envoy/cases.js";

interface KeysFile {
  jwks: string;
  good: JWK;
  other: JWK;
}

export async function keysToJson(keys: Keys): Promise<string> {
  const file: KeysFile = { jwks: keys.jwks, good: await exportJWK(keys.good), other: await exportJWK(keys.other) };
  return `${JSON.stringify(file)}\n`;
}

async function privateKey(jwk: JWK | undefined, name: string): Promise<SigningKey> {
  if (jwk?.d === undefined) throw new Error(`keys file: "${name}" is not a private JWK`);
  const key = await importJWK(jwk, "RS256");
  if (key instanceof Uint8Array) throw new Error(`keys file: "${name}" is a symmetric key, not an RS256 private key`);
  return key;
}

export async function keysFromJson(text: string): Promise<Keys> {
  const file = JSON.parse(text) as Partial<KeysFile>;
  if (typeof file.jwks !== "string") throw new Error('keys file: "jwks" must be the JWKS as a string');
  return { jwks: file.jwks, good: await privateKey(file.good, "good"), other: await privateKey(file.other, "other") };
}
