/**
 * A minimal SOCKS5 proxy for tests (RFC 1928, no authentication, CONNECT only): it records each
 * client's greeting and request bytes, then relays to the target, or answers with `refuseWith`.
 */
import * as net from "node:net";
import { once } from "node:events";

export interface SocksRequest {
  greeting: Buffer;
  request: Buffer;
  host: string;
  port: number;
}

export interface SocksServer {
  readonly address: string;
  readonly requests: SocksRequest[];
  /** Resolves at the next request recorded. */
  nextRequest(): Promise<SocksRequest>;
  /** Resolves with the next client connection (before any byte is read). */
  nextClient(): Promise<net.Socket>;
  close(): Promise<void>;
}

/** `refuseWith`: a reply code to answer every CONNECT with; `silent`: never answer at all. */
export async function startSocksServer(options: { refuseWith?: number; silent?: boolean } = {}): Promise<SocksServer> {
  const requests: SocksRequest[] = [];
  const waiters: Array<(r: SocksRequest) => void> = [];
  const clientWaiters: Array<(c: net.Socket) => void> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    for (const wake of clientWaiters.splice(0)) wake(client);
    if (options.silent === true) return;
    let buf = Buffer.alloc(0);
    let greeting: Buffer | null = null;
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      if (greeting === null) {
        if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
        greeting = buf.subarray(0, 2 + buf[1]!);
        buf = buf.subarray(greeting.length);
        client.write(Buffer.from([5, 0]));
      }
      if (buf.length < 5) return;
      const atyp = buf[3];
      const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + buf[4]!;
      const total = 4 + addrLen + 2;
      if (buf.length < total) return;
      client.removeListener("data", onData);
      const request = buf.subarray(0, total);
      const rest = buf.subarray(total);
      const host =
        atyp === 1 ? [...request.subarray(4, 8)].join(".") : atyp === 4 ? "ipv6" : request.subarray(5, 5 + buf[4]!).toString();
      const port = request.readUInt16BE(total - 2);
      const record = { greeting, request, host, port };
      requests.push(record);
      for (const wake of waiters.splice(0)) wake(record);
      if (options.refuseWith !== undefined) {
        client.end(Buffer.from([5, options.refuseWith, 0, 1, 0, 0, 0, 0, 0, 0]));
        return;
      }
      const upstream = net.connect({ host: atyp === 3 && host === "localhost" ? "127.0.0.1" : host === "ipv6" ? "::1" : host, port });
      sockets.add(upstream);
      upstream.on("close", () => sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
      upstream.once("connect", () => {
        // The reply and the upstream's first bytes may travel together, as from a real proxy.
        client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    client.on("data", onData);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    requests,
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    nextClient: () => new Promise((resolve) => clientWaiters.push(resolve)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
