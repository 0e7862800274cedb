import type { Socket as NetSocket } from "node:net";
import { registerStreamEngine } from "./transport-registry.js";

let loaded = false;
let loading: Promise<void> | null = null;

/**
 * Loads the tcp/ipc engine (once) and registers it: bind and connect over tcp or ipc start it,
 * and no connection is made before it is there, so a program that never uses tcp or ipc never
 * loads it, and importing the package does not.
 */
export function loadStreamEngine(): Promise<void> {
  return (loading ??= import("./stream-engine-maker.js").then(({ makeStreamEngine }) => {
    registerStreamEngine(makeStreamEngine);
    loaded = true;
  }));
}

/** Runs `fn` once the engine is registered: at once when it is. */
export function whenStreamEngine(fn: () => void): void {
  if (loaded) fn();
  else void loadStreamEngine().then(fn);
}

/**
 * An accepted connection waits for the engine (bindSync listens before it could load): meanwhile
 * its bytes wait in its read slot (reader.ts), and an error only ends it.
 */
export function acceptWhenEngine(sock: NetSocket, fn: () => void): void {
  if (loaded) {
    fn();
    return;
  }
  const onError = (): void => {
    sock.destroy();
  };
  sock.on("error", onError);
  void loadStreamEngine().then(() => {
    sock.removeListener("error", onError);
    if (!sock.destroyed) fn();
  });
}
