import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess, type ManagedProcess } from "../process.js";
import type { Credentials } from "./credentials.js";
import { httpGet } from "./http-get.js";
import { waitReady } from "./wait-ready.js";

export interface ApiServerConfig {
  binary: string;
  port: number;
  /** The apiserver writes its self-signed serving certificate and CA here on first start and
   *  reuses them on restart, so clients keep trusting it. */
  certDir: string;
  etcdUrl: string;
  credentials: Credentials;
  /** Token used for the /readyz probe (the admin's). */
  probeToken: string;
  /** Appended after the defaults; a repeated flag overrides the default. */
  extraArgs: readonly string[];
}

/** The serving certificate file: the leaf followed by the self-signed CA that issued it. */
export function servingCertFile(certDir: string): string {
  return join(certDir, "apiserver.crt");
}

function apiServerArgs(c: ApiServerConfig): string[] {
  const server = `https://127.0.0.1:${c.port}`;
  return [
    "--advertise-address=127.0.0.1",
    "--bind-address=127.0.0.1",
    `--secure-port=${c.port}`,
    `--cert-dir=${c.certDir}`,
    `--etcd-servers=${c.etcdUrl}`,
    "--service-cluster-ip-range=10.0.0.0/24",
    "--allow-privileged=true",
    // RBAC only: the admin is in system:masters, everyone else needs real (least-privilege) roles.
    "--authorization-mode=RBAC",
    `--token-auth-file=${c.credentials.tokenAuthFile}`,
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${c.credentials.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${c.credentials.serviceAccountKeyFile}`,
    ...c.extraArgs,
  ];
}

/** Starts kube-apiserver and waits until /readyz answers 200 or `timeoutMs` passes. */
export async function startApiServer(c: ApiServerConfig, timeoutMs: number): Promise<ManagedProcess> {
  const proc = startProcess("kube-apiserver", c.binary, apiServerArgs(c));
  const certFile = servingCertFile(c.certDir);
  try {
    await waitReady(
      proc,
      async () => {
        let ca: string;
        try {
          ca = readFileSync(certFile, "utf8");
        } catch {
          return false; // not written yet
        }
        const res = await httpGet(`https://127.0.0.1:${c.port}/readyz`, { ca, token: c.probeToken });
        return res.status === 200;
      },
      timeoutMs,
      "kube-apiserver /readyz",
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}
