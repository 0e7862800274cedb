import { createInterface } from "node:readline";
import { CliError } from "./cli-error.js";
import { EXIT } from "./exit-codes.js";

/** Writes one line to stdout. */
export function writeLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Writes one line to stderr: progress, bound endpoints, diagnostics. */
export function logLine(text: string): void {
  process.stderr.write(`${text}\n`);
}

/**
 * An AbortSignal that fires on SIGINT or SIGTERM, so long-running commands stop cleanly
 * (closing their sockets, a buffer device saving its queue) instead of dying mid-write.
 */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => controller.abort(new CliError("EINTR", "stopped by signal", EXIT.OK));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return controller.signal;
}

/** Resolves when the signal fires. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/**
 * Races a promise against `ms` (none when ms is 0): on timeout it rejects with EAGAIN and exit
 * code 3, saying what it was waiting for.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, waitingFor: string): Promise<T> {
  if (ms <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError("EAGAIN", `timed out after ${ms} ms waiting for ${waitingFor}`, EXIT.TIMEOUT)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The lines of stdin, without their line ends; a final line without one counts too. */
export async function* stdinLines(): AsyncGenerator<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
  }
}
