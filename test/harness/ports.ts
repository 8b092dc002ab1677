import { createServer } from "node:net";

/** Asks the kernel for a free TCP port on 127.0.0.1. The port is released before returning,
 *  so callers should bind it soon; collisions are rare and surface as a startup error. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr === null || typeof addr === "string") {
        srv.close();
        reject(new Error("could not read the bound port"));
        return;
      }
      const { port } = addr;
      srv.close(() => resolve(port));
    });
  });
}
