/** Where a command writes; tests pass buffers, the binary passes stdout/stderr. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readStdin?: () => string;
}

export const EXIT_OK = 0;
/** The input has problems (invalid policy, unreadable file). */
export const EXIT_PROBLEMS = 1;
/** The command line itself is wrong. */
export const EXIT_USAGE = 2;

export class UsageError extends Error {}
