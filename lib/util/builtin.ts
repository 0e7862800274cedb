/**
 * A Node built-in module where the runtime has one, found at run time through
 * `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno) rather than a static `node:` import, so
 * that a file that only prefers a built-in also loads in a browser, where this is undefined.
 */
export function nodeBuiltin<T>(id: `node:${string}`): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}
