import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { freePort } from "../ports.js";
import type { ManagedProcess } from "../process.js";
import { servingCertFile, startApiServer, type ApiServerConfig } from "./apiserver.js";
import { kubeBinaries } from "./binaries.js";
import { applyCrds, type CrdSource } from "./crds.js";
import { ADMIN_USER, writeCredentials, type StaticUser } from "./credentials.js";
import { startEtcd, type Etcd } from "./etcd.js";
import { makeKubeConfig, renderKubeconfig } from "./kubeconfig.js";
import { requestServiceAccountToken } from "./service-account.js";

export interface ControlPlaneOptions {
  /** More users authenticated by static bearer tokens (the admin is always there). Give them
   *  groups and RBAC bindings to test least privilege; see `kubeConfigForUser`. */
  users?: StaticUser[];
  /** Extra kube-apiserver flags, after the defaults (a repeated flag overrides a default). */
  apiServerArgs?: string[];
  /** Deadline for etcd and for the apiserver to become ready, each (default 120 s). */
  startTimeoutMs?: number;
}

/** A real etcd + kube-apiserver on 127.0.0.1, like controller-runtime's envtest: no
 *  controller-manager or scheduler, so nothing is garbage-collected, no Pod is scheduled and
 *  a deleted Namespace stays Terminating. */
export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** PEM of the apiserver's serving certificate chain (its self-signed CA included); trust it. */
  readonly caPem: string;
  /** `caPem` base64-encoded, as in a kubeconfig's certificate-authority-data. */
  readonly caData: string;
  /** Bearer token of the admin (group system:masters, which RBAC always allows). */
  readonly token: string;
  /** A kubeconfig file for the admin, for kubectl/helm (`KUBECONFIG=...`). */
  readonly kubeconfigPath: string;
  /** http://127.0.0.1:<port> of etcd. */
  readonly etcdUrl: string;
  /** The temp directory holding data, certificates and credentials; removed by stop(). */
  readonly dir: string;
  /** A client config for the admin. */
  kubeConfig(): KubeConfig;
  /** A client config for a user given in `ControlPlaneOptions.users`. */
  kubeConfigForUser(name: string): KubeConfig;
  /** A client config acting as a ServiceAccount (created if missing) via a TokenRequest token. */
  kubeConfigForServiceAccount(namespace: string, name: string): Promise<KubeConfig>;
  /** Server-side applies CRDs (YAML file paths or objects) and waits until they are Established
   *  and served in discovery; returns the CRD names. */
  loadCrds(sources: readonly CrdSource[], timeoutMs?: number): Promise<string[]>;
  /** Stops the apiserver and starts it again on the same port with the same data and
   *  certificates, then waits for /readyz (for "apiserver restarted mid-run" tests). */
  restartApiServer(): Promise<void>;
  /** Output of the current apiserver and of etcd, for failure messages. */
  logs(): { apiServer: string; etcd: string };
  /** Kills the apiserver and etcd and removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 120_000;
const DEFAULT_CRD_TIMEOUT_MS = 60_000;

// Removes leftover temp dirs when a test run dies without calling stop().
const liveDirs = new Set<string>();
process.once("exit", () => {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

class LocalControlPlane implements ControlPlane {
  readonly server: string;
  readonly caData: string;
  readonly token: string;
  readonly kubeconfigPath: string;
  readonly etcdUrl: string;
  private stopped = false;

  constructor(
    readonly dir: string,
    readonly caPem: string,
    private readonly etcd: Etcd,
    private apiServer: ManagedProcess | undefined,
    private readonly apiConfig: ApiServerConfig,
    private readonly startTimeoutMs: number,
  ) {
    this.server = `https://127.0.0.1:${apiConfig.port}`;
    this.caData = Buffer.from(caPem).toString("base64");
    this.token = this.tokenOf(ADMIN_USER.name);
    this.etcdUrl = etcd.clientUrl;
    this.kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(this.kubeconfigPath, renderKubeconfig(this.params(ADMIN_USER.name, this.token)), { mode: 0o600 });
  }

  private tokenOf(user: string): string {
    const token = this.apiConfig.credentials.tokens.get(user);
    if (token === undefined) throw new Error(`no static user ${user}; pass it in startControlPlane({ users })`);
    return token;
  }

  private params(user: string, token: string) {
    return { server: this.server, caPem: this.caPem, user, token };
  }

  kubeConfig(): KubeConfig {
    return makeKubeConfig(this.params(ADMIN_USER.name, this.token));
  }

  kubeConfigForUser(name: string): KubeConfig {
    return makeKubeConfig(this.params(name, this.tokenOf(name)));
  }

  async kubeConfigForServiceAccount(namespace: string, name: string): Promise<KubeConfig> {
    const token = await requestServiceAccountToken(this.kubeConfig(), namespace, name);
    return makeKubeConfig(this.params(`system:serviceaccount:${namespace}:${name}`, token));
  }

  loadCrds(sources: readonly CrdSource[], timeoutMs = DEFAULT_CRD_TIMEOUT_MS): Promise<string[]> {
    return applyCrds(this.kubeConfig(), sources, timeoutMs);
  }

  async restartApiServer(): Promise<void> {
    if (this.stopped) throw new Error("control plane is stopped");
    await this.apiServer?.stop(10_000);
    this.apiServer = undefined;
    this.apiServer = await startApiServer(this.apiConfig, this.startTimeoutMs);
  }

  logs(): { apiServer: string; etcd: string } {
    return { apiServer: this.apiServer?.output() ?? "", etcd: this.etcd.process.output() };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.apiServer?.stop(10_000);
    await this.etcd.process.stop();
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    liveDirs.delete(this.dir);
  }
}

/** Starts etcd and kube-apiserver on free 127.0.0.1 ports in a fresh temp dir and waits until
 *  the apiserver is ready. Always pair with `stop()` (e.g. in an `after` hook). */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = kubeBinaries();
  const startTimeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const dir = mkdtempSync(join(tmpdir(), "modelguard-kube-"));
  liveDirs.add(dir);
  const certDir = join(dir, "certs");
  const authDir = join(dir, "auth");
  mkdirSync(certDir);
  mkdirSync(authDir);
  let etcd: Etcd | undefined;
  try {
    const credentials = writeCredentials(authDir, [ADMIN_USER, ...(opts.users ?? [])]);
    etcd = await startEtcd(binaries.etcd, join(dir, "etcd"), startTimeoutMs);
    const probeToken = credentials.tokens.get(ADMIN_USER.name) ?? "";
    const apiConfig: ApiServerConfig = {
      binary: binaries.kubeApiserver,
      port: await freePort(),
      certDir,
      etcdUrl: etcd.clientUrl,
      credentials,
      probeToken,
      extraArgs: opts.apiServerArgs ?? [],
    };
    const apiServer = await startApiServer(apiConfig, startTimeoutMs);
    const caPem = readFileSync(servingCertFile(certDir), "utf8");
    return new LocalControlPlane(dir, caPem, etcd, apiServer, apiConfig, startTimeoutMs);
  } catch (err) {
    await etcd?.process.stop();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    liveDirs.delete(dir);
    throw err;
  }
}
