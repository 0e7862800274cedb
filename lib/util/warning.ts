/**
 * process.emitWarning where there is a process (Node, Bun, Deno), else console.warn (the
 * browser build), so that option code may warn on either.
 */
export function emitWarning(message: string, options?: { code?: string; type?: string }): void {
  const proc = (globalThis as { process?: { emitWarning?(message: string, options?: object): void } }).process;
  if (proc?.emitWarning !== undefined) proc.emitWarning(message, options);
  else console.warn(options?.code === undefined ? message : `[${options.code}] ${message}`);
}
