import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Loads a ZeroMQ implementation by name at run time and views it through the small subset of
// the zeromq v6 API the benchmark uses, so bench/ type-checks against neither module's own
// types and keeps compiling while lib/ is still being written.

/** "raw" is the node:net ceiling (raw-net.ts): Push, Pull, Request, Reply over tcp and ipc. */
export type LibName = "zeromq" | "wiremq" | "raw";
export const LIB_NAMES: readonly LibName[] = ["zeromq", "wiremq", "raw"];

export type Message = Buffer | string | Uint8Array | Array<Buffer | string | Uint8Array>;

export interface BenchSocket {
  bind(endpoint: string): Promise<void>;
  connect(endpoint: string): void;
  send(message: Message): Promise<void>;
  receive(): Promise<Buffer[]>;
  close(): void | Promise<void>;
  readonly lastEndpoint: string | null;
  sendHighWaterMark: number;
  receiveHighWaterMark: number;
  linger: number;
}

export interface BenchSubscriber extends BenchSocket {
  subscribe(...prefixes: Array<Buffer | string>): void;
}

export type SocketClass<S extends BenchSocket = BenchSocket> = new (options?: Record<string, unknown>) => S;

/** The socket classes a workload may ask for, by their zeromq names. */
export interface SocketClasses {
  Push: SocketClass;
  Pull: SocketClass;
  Pair: SocketClass;
  Publisher: SocketClass;
  Subscriber: SocketClass<BenchSubscriber>;
  Request: SocketClass;
  Reply: SocketClass;
  Dealer: SocketClass;
  Router: SocketClass;
}
export type SocketClassName = keyof SocketClasses;

/** Exports a workload may require: the socket classes, and functions such as `curveKeyPair`. */
export type ExportName = SocketClassName | "curveKeyPair" | "Broker";

/** A CURVE key pair as Z85 text, as zeromq's `curveKeyPair()` returns it. */
export interface CurveKeyPair {
  publicKey: string;
  secretKey: string;
}

/** The part of the module's `context` the benchmark touches (zeromq caps sockets at 1023). */
export interface BenchContext {
  maxSockets?: number;
}

export interface ZmqLib {
  readonly name: LibName;
  /** The module's `version` export (zeromq reports libzmq's version there). */
  readonly version: string;
  /** The npm package version. */
  readonly packageVersion: string;
  /** Returns the class, or throws `LibUnavailableError` when this library does not export it. */
  socket<K extends SocketClassName>(className: K): SocketClasses[K];
  has(name: ExportName): boolean;
  /** The module's `curveKeyPair()`; throws `LibUnavailableError` when it has none. */
  curveKeyPair(): CurveKeyPair;
  /** The module's `context` export, if any. */
  readonly context: BenchContext | undefined;
}

export class LibUnavailableError extends Error {
  readonly code = "EUNAVAILABLE";
}

// Specifiers held in a string-typed map so TypeScript does not resolve (and type-check) them.
const SPECIFIERS: Record<LibName, string> = {
  zeromq: "zeromq",
  wiremq: "../lib/index.js", // dist/bench/lib-loader.js → dist/lib/index.js
  raw: "./raw-net.js",
};

/** What a worker thread imports to load the same library (an absolute URL for wiremq's build). */
export function libSpecifier(name: LibName): string {
  return name === "zeromq" ? SPECIFIERS.zeromq : new URL(SPECIFIERS[name], import.meta.url).href;
}

const cache = new Map<LibName, Promise<ZmqLib>>();

export function loadLib(name: LibName): Promise<ZmqLib> {
  let pending = cache.get(name);
  if (pending === undefined) {
    pending = importLib(name);
    cache.set(name, pending);
  }
  return pending;
}

async function importLib(name: LibName): Promise<ZmqLib> {
  let ns: Record<string, unknown>;
  try {
    ns = (await import(SPECIFIERS[name])) as Record<string, unknown>;
  } catch (err) {
    throw new LibUnavailableError(`cannot import ${name}: ${(err as Error).message}`);
  }
  // A CommonJS module imported from ESM may expose its exports only on `default`.
  const def = ns["default"];
  const exports: Record<string, unknown> =
    def !== null && typeof def === "object" ? { ...(def as Record<string, unknown>), ...ns } : ns;

  // zeromq's context otherwise blocks process exit on sockets with unsent messages.
  if (name === "zeromq") {
    const context = exports["context"] as { blocky?: boolean } | undefined;
    if (context !== undefined) context.blocky = false;
  }

  const has = (exportName: ExportName): boolean => typeof exports[exportName] === "function";
  const context = exports["context"];
  return {
    name,
    version: typeof exports["version"] === "string" ? (exports["version"] as string) : "unknown",
    packageVersion: packageVersion(name),
    has,
    socket<K extends SocketClassName>(className: K): SocketClasses[K] {
      if (!has(className)) throw new LibUnavailableError(`${name} does not export ${className}`);
      return exports[className] as SocketClasses[K];
    },
    curveKeyPair(): CurveKeyPair {
      if (!has("curveKeyPair")) throw new LibUnavailableError(`${name} does not export curveKeyPair`);
      return (exports["curveKeyPair"] as () => CurveKeyPair)();
    },
    context: context !== null && typeof context === "object" ? (context as BenchContext) : undefined,
  };
}

function packageVersion(name: LibName): string {
  if (name === "raw") return process.version;
  try {
    // zeromq resolves to <pkg>/lib/index.js; wiremq's package.json sits two levels above dist/bench.
    const file =
      name === "zeromq"
        ? join(dirname(createRequire(import.meta.url).resolve("zeromq")), "..", "package.json")
        : join(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json");
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    return pkg.name === name && typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/** Closes every socket given, ignoring ones already closed; for `finally` blocks. */
export async function closeAll(...sockets: Array<BenchSocket | undefined>): Promise<void> {
  for (const socket of sockets) {
    if (socket === undefined) continue;
    try {
      await socket.close();
    } catch {
      // already closed or never opened: nothing left to release
    }
  }
}
