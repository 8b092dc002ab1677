// Replacement for AssemblyScript's `env.abort` import (wired with
// `--use abort=assembly/abi/abort/abortHandler`). Envoy provides no `env.abort`,
// so we log the reason through proxy_log and trap. It allocates nothing: it may
// run because allocation itself failed.
import { proxy_log } from "./imports";
import { LogLevel } from "./types";

const CAPACITY: i32 = 512;
const scratch: usize = memory.data(CAPACITY);

function putChar(at: i32, code: u32): i32 {
  if (at >= CAPACITY) return at;
  // Non-ASCII is replaced: the message is a diagnostic, not data.
  store<u8>(scratch + <usize>at, code < 0x80 ? <u8>code : <u8>0x3f);
  return at + 1;
}

function putString(at: i32, text: string | null): i32 {
  if (text === null) return putString(at, "?");
  const base = changetype<usize>(text);
  const length = text.length;
  for (let i = 0; i < length; i++) at = putChar(at, <u32>load<u16>(base + (<usize>i << 1)));
  return at;
}

function putNumber(at: i32, value: u32): i32 {
  let divisor: u32 = 1;
  while (value / divisor >= 10) divisor *= 10;
  while (divisor > 0) {
    at = putChar(at, 0x30 + (value / divisor) % 10);
    divisor /= 10;
  }
  return at;
}

export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let n = putString(0, "abort: ");
  n = putString(n, message);
  n = putString(n, " at ");
  n = putString(n, fileName);
  n = putChar(n, 0x3a);
  n = putNumber(n, line);
  n = putChar(n, 0x3a);
  n = putNumber(n, column);
  proxy_log(<u32>LogLevel.Critical, scratch, <usize>n);
  unreachable();
}
