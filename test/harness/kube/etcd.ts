import { freePort } from "../ports.js";
import { startProcess, type ManagedProcess } from "../process.js";
import { httpGet } from "./http-get.js";
import { waitReady } from "./wait-ready.js";

export interface Etcd {
  /** http://127.0.0.1:<port>, for --etcd-servers. */
  readonly clientUrl: string;
  readonly process: ManagedProcess;
}

/** Starts a single-member etcd on free 127.0.0.1 ports and waits until /health says so. */
export async function startEtcd(binary: string, dataDir: string, timeoutMs: number): Promise<Etcd> {
  const clientUrl = `http://127.0.0.1:${await freePort()}`;
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  const proc = startProcess("etcd", binary, [
    "--name=modelguard-test",
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=modelguard-test=${peerUrl}`,
    // Test data is thrown away afterwards; skipping fsync makes every write much faster.
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ]);
  try {
    await waitReady(
      proc,
      async () => {
        const res = await httpGet(`${clientUrl}/health`);
        return res.status === 200 && (JSON.parse(res.body) as { health?: string }).health === "true";
      },
      timeoutMs,
      "etcd /health",
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { clientUrl, process: proc };
}
