import { RpcClient, type RpcClientOptions } from "./client.js";
import { RpcServer, type RpcServerOptions } from "./server.js";
import { defineService, type Handlers, type ServiceSpec } from "./service.js";

/**
 * The RPC pattern in three calls:
 *   const calc = rpc.define({ add: { request: json<[number, number]>(), reply: json<number>() } });
 *   const server = rpc.server(calc, { add: ([a, b]) => a + b });
 *   const client = rpc.client(calc, { servers: [server.lastEndpoint!] });
 */
export const rpc = Object.freeze({
  define: defineService,
  server: <S extends ServiceSpec>(service: S, handlers: Handlers<S>, options?: RpcServerOptions): RpcServer<S> =>
    new RpcServer(service, handlers, options),
  client: <S extends ServiceSpec>(service: S, options: RpcClientOptions): RpcClient<S> => new RpcClient(service, options),
});
