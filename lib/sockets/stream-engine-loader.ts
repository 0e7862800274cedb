import type { Socket as NetSocket } from "node:net";
import { registerStreamEngine } from "./transport-registry.js";

type StreamEngineModule = typeof import("./stream-engine-maker.js");
type Waiter = (m: StreamEngineModule) => void;

let loaded: StreamEngineModule | null = null;
let loading: Promise<StreamEngineModule> | null = null;
/**
 * What waits for the engine to load. A waiter leaves the set when what it serves closes first,
 * so a closed socket is not kept reachable by the pending load (its context is released at the
 * next GC, as zeromq's is).
 */
const waiting = new Set<Waiter>();

/**
 * Loads the tcp/ipc engine (once) and registers it: bind and connect over tcp or ipc start it,
 * and no connection is made before it is there, so a program that never uses tcp or ipc never
 * loads it, and importing the package does not.
 */
export function loadStreamEngine(): Promise<StreamEngineModule> {
  return (loading ??= import("./stream-engine-maker.js").then((m) => {
    registerStreamEngine(m.makeStreamEngine);
    loaded = m;
    const ready = [...waiting];
    waiting.clear();
    for (const fn of ready) fn(m);
    return m;
  }));
}

/** Runs `fn` once the engine is registered: at once when it is. Returns what cancels the wait. */
export function whenStreamEngine(fn: Waiter): () => void {
  if (loaded !== null) {
    fn(loaded);
    return noCancel;
  }
  waiting.add(fn);
  void loadStreamEngine();
  return () => waiting.delete(fn);
}

function noCancel(): void {}

/**
 * An accepted connection waits for the engine (bindSync listens before it could load): meanwhile
 * its bytes wait in its read slot (reader.ts), and an error only ends it.
 */
export function acceptWhenEngine(sock: NetSocket, fn: Waiter): void {
  if (loaded !== null) {
    fn(loaded);
    return;
  }
  const onError = (): void => {
    sock.destroy();
  };
  const onClose = (): void => {
    waiting.delete(waiter);
  };
  const waiter: Waiter = (m) => {
    sock.removeListener("error", onError);
    sock.removeListener("close", onClose);
    if (!sock.destroyed) fn(m);
  };
  sock.on("error", onError);
  sock.on("close", onClose);
  waiting.add(waiter);
  void loadStreamEngine();
}
