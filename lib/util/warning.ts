/**
 * process.emitWarning where there is a process (Node, Bun, Deno), else console.warn (the
 * browser build), so that option code may warn on either.
 */
export function emitWarning(message: string, options?: { code?: string; type?: string }): void {
  const proc = (globalThis as { process?: { emitWarning?(message: string, options?: object): void } }).process;
  if (proc?.emitWarning !== undefined) {
    // Called with exactly the arguments given, as zeromq calls it (a listener may look at them).
    if (options === undefined) proc.emitWarning(message);
    else proc.emitWarning(message, options);
  }
  else console.warn(options?.code === undefined ? message : `[${options.code}] ${message}`);
}
