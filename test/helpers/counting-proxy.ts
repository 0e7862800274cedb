/**
 * A TCP proxy for tests that counts the bytes each client sends upstream: what a sender puts
 * on the wire, ZMTP greeting and framing included, measured below the library under test.
 */
import * as net from "node:net";
import { EventEmitter, once } from "node:events";

export interface CountingProxy {
  /** `tcp://127.0.0.1:<port>` of the proxy. */
  readonly endpoint: string;
  /** Bytes clients have sent towards the target since the last reset. */
  readonly upstreamBytes: number;
  /** While true, bytes from clients are counted and thrown away: a link that eats data. */
  dropping: boolean;
  /** Emits "upstream" for every chunk a client sends. */
  readonly events: EventEmitter;
  reset(): void;
  /** Breaks every connection through the proxy, as a failed link would. */
  cut(): void;
  close(): Promise<void>;
}

export async function countingProxy(targetPort: number): Promise<CountingProxy> {
  let upstream = 0;
  const events = new EventEmitter();
  const state = { dropping: false };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = net.connect(targetPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(target);
    client.on("data", (chunk: Buffer) => {
      upstream += chunk.length;
      if (!state.dropping) target.write(chunk);
      events.emit("upstream", chunk.length);
    });
    target.on("data", (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    client.on("close", end);
    target.on("close", end);
    client.on("error", end);
    target.on("error", end);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `tcp://127.0.0.1:${port}`,
    get upstreamBytes() {
      return upstream;
    },
    get dropping() {
      return state.dropping;
    },
    set dropping(v: boolean) {
      state.dropping = v;
    },
    events,
    reset() {
      upstream = 0;
    },
    cut() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}
