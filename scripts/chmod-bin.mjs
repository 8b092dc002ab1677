// npm sets the executable bit on bins only at install time; a local build needs it too.
import { chmodSync, existsSync } from "node:fs";
const bin = new URL("../dist/operator/src/cli/main.js", import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
