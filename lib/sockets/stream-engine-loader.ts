import type { Socket as NetSocket } from "node:net";
import { registerStreamEngine } from "./transport-registry.js";

type StreamEngineModule = typeof import("./stream-engine-maker.js");

let loaded: StreamEngineModule | null = null;
let loading: Promise<StreamEngineModule> | null = null;

/**
 * Loads the tcp/ipc engine (once) and registers it: bind and connect over tcp or ipc start it,
 * and no connection is made before it is there, so a program that never uses tcp or ipc never
 * loads it, and importing the package does not.
 */
export function loadStreamEngine(): Promise<StreamEngineModule> {
  return (loading ??= import("./stream-engine-maker.js").then((m) => {
    registerStreamEngine(m.makeStreamEngine);
    return (loaded = m);
  }));
}

/** Runs `fn` once the engine is registered: at once when it is. */
export function whenStreamEngine(fn: (m: StreamEngineModule) => void): void {
  if (loaded !== null) fn(loaded);
  else void loadStreamEngine().then(fn);
}

/**
 * An accepted connection waits for the engine (bindSync listens before it could load): meanwhile
 * its bytes wait in its read slot (reader.ts), and an error only ends it.
 */
export function acceptWhenEngine(sock: NetSocket, fn: (m: StreamEngineModule) => void): void {
  if (loaded !== null) {
    fn(loaded);
    return;
  }
  const onError = (): void => {
    sock.destroy();
  };
  sock.on("error", onError);
  void loadStreamEngine().then((m) => {
    sock.removeListener("error", onError);
    if (!sock.destroyed) fn(m);
  });
}
