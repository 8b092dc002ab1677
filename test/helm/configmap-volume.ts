// A ConfigMap volume laid out the way the kubelet writes it (its AtomicWriter): the data lives in a
// hidden directory per version, `..data` is a symlink to the current one, and each key is a
// top-level symlink through `..data`. An update writes a new directory, swaps `..data` with one
// rename, then adds and removes the top-level links. Programs reading a mounted ConfigMap see
// exactly these file-system events, so tests can check they pick up updates.
import { mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class ConfigMapVolume {
  private generation = 0;

  /** `dir` is the mount point; it is created empty, as for a ConfigMap without data. */
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.update({});
  }

  /** Replaces the volume's content with `data` (key → file content), atomically as the kubelet does. */
  update(data: Record<string, string>): void {
    const previous = this.currentDataDir();
    // The kubelet names it after the time (..2026_01_02_03_04_05.123456789); any hidden name will do.
    const next = `..generation_${String(++this.generation)}`;
    mkdirSync(join(this.dir, next));
    for (const [key, value] of Object.entries(data)) writeFileSync(join(this.dir, next, key), value, { mode: 0o644 });
    symlinkSync(next, join(this.dir, "..data_tmp"));
    renameSync(join(this.dir, "..data_tmp"), join(this.dir, "..data"));
    for (const key of Object.keys(data)) {
      if (!readdirSync(this.dir).includes(key)) symlinkSync(join("..data", key), join(this.dir, key));
    }
    for (const entry of readdirSync(this.dir)) {
      if (!entry.startsWith("..") && !(entry in data)) rmSync(join(this.dir, entry));
    }
    if (previous !== undefined) rmSync(join(this.dir, previous), { recursive: true, force: true });
  }

  private currentDataDir(): string | undefined {
    try {
      return readlinkSync(join(this.dir, "..data"));
    } catch {
      return undefined;
    }
  }
}
