import { generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** A user the apiserver authenticates by a static bearer token. */
export interface StaticUser {
  name: string;
  groups: string[];
}

export interface Credentials {
  /** PEM private key the apiserver signs service-account tokens with. */
  serviceAccountKeyFile: string;
  /** PEM public key the apiserver verifies service-account tokens with. */
  serviceAccountPublicKeyFile: string;
  /** --token-auth-file: one `token,user,uid,"group,..."` line per user. */
  tokenAuthFile: string;
  /** Bearer token of each user, by name. */
  tokens: ReadonlyMap<string, string>;
}

/** The admin: system:masters bypasses RBAC, like a cluster-admin kubeconfig. */
export const ADMIN_USER: StaticUser = { name: "modelguard-admin", groups: ["system:masters"] };

/** Writes a fresh service-account signing key pair and a static token file into `dir`. */
export function writeCredentials(dir: string, users: readonly StaticUser[]): Credentials {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const serviceAccountKeyFile = join(dir, "sa.key");
  const serviceAccountPublicKeyFile = join(dir, "sa.pub");
  writeFileSync(serviceAccountKeyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(serviceAccountPublicKeyFile, publicKey.export({ type: "spki", format: "pem" }));

  const tokens = new Map<string, string>();
  const lines: string[] = [];
  for (const [i, user] of users.entries()) {
    if (tokens.has(user.name)) throw new Error(`duplicate static user ${user.name}`);
    if (/[,"\s]/.test(user.name) || user.groups.some((g) => /[,"\s]/.test(g))) {
      throw new Error(`static user ${user.name}: names and groups must not contain commas, quotes or spaces`);
    }
    const token = randomBytes(24).toString("hex");
    tokens.set(user.name, token);
    lines.push(`${token},${user.name},uid-${i},"${user.groups.join(",")}"`);
  }
  const tokenAuthFile = join(dir, "tokens.csv");
  writeFileSync(tokenAuthFile, lines.join("\n") + "\n", { mode: 0o600 });
  return { serviceAccountKeyFile, serviceAccountPublicKeyFile, tokenAuthFile, tokens };
}
