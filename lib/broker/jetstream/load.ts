/**
 * The NATS client packages are optional peers: wiremq loads them on the first JetStream use,
 * never at import, so the package loads (with require or import) without them, and a program
 * that uses JetStream without them is told which package to install.
 */
import { zmqError } from "../../errors.js";

/**
 * What wiremq uses of the core client, declared here: the package's own types sit behind a
 * subpath export that the CommonJS build's resolution cannot follow, and a declaration of our
 * own keeps the NATS types out of wiremq's public ones.
 */
export interface NatsHeaders {
  set(key: string, value: string): void;
  get(key: string): string;
  readonly code: number;
}

export interface NatsMsg {
  subject: string;
  data: Uint8Array;
  headers?: NatsHeaders;
}

export interface NatsSubscription {
  unsubscribe(): void;
}

export interface NatsConnection {
  publish(subject: string, data?: Uint8Array, options?: { reply?: string; headers?: NatsHeaders }): void;
  subscribe(subject: string, options: { callback: (err: Error | null, msg: NatsMsg) => void }): NatsSubscription;
  drain(): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface NatsCore {
  connect(options: Record<string, unknown>): Promise<NatsConnection>;
  headers(): NatsHeaders;
  createInbox(): string;
  nanos(millis: number): number;
}

export type NatsJetStream = typeof import("@nats-io/jetstream");

export interface NatsModules {
  core: NatsCore;
  js: NatsJetStream;
}

let loading: Promise<NatsModules> | null = null;

export function loadNats(): Promise<NatsModules> {
  loading ??= (async () => {
    const core = await importPeer<NatsCore>("@nats-io/transport-node", () => import("@nats-io/transport-node") as unknown as Promise<NatsCore>);
    const js = await importPeer<NatsJetStream>("@nats-io/jetstream", () => import("@nats-io/jetstream"));
    return { core, js };
  })();
  // A failed load is not remembered: the package may be installed before the next try.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** Exported for its test: a missing package becomes EMISSINGPACKAGE naming it. */
export async function importPeer<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw zmqError("EMISSINGPACKAGE", `the JetStream backend needs the package ${name}: npm install @nats-io/transport-node @nats-io/jetstream`, { cause: err });
    }
    throw err;
  }
}
