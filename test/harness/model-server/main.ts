// Runs the sample model server on its own: `npx tsx test/harness/model-server/main.ts [--port N]`.
import { parseArgs } from "node:util";
import { startModelServer } from "./server.js";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, host: { type: "string", default: "127.0.0.1" } } });
const server = await startModelServer({ port: Number(values.port), host: values.host });
process.stdout.write(`sample model server listening on ${server.url}\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
