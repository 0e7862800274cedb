import { Router } from "../../lib/index.js";
import type { DecodeError } from "../codec/codec.js";
import { SerialSender } from "../internal/serial-sender.js";
import { dispatch } from "./dispatch.js";
import { errorFrame, header, Kind, parseHeader } from "./protocol.js";
import type { Handlers, ServiceSpec } from "./service.js";

type RouterOptions = NonNullable<ConstructorParameters<typeof Router>[0]>;

export type RpcServerOptions = RouterOptions & {
  /** Requests handled at once (default 256); past it the server stops reading, so TCP pushes back. */
  concurrency?: number;
  /** Told of each request that could not be decoded (it is answered with EDECODE). */
  onDecodeError?: (error: DecodeError) => void;
  /** Told of each handler failure (it is answered with the error's code). */
  onHandlerError?: (error: unknown, method: string) => void;
};

export interface RpcServerStats {
  /** Requests answered, successfully or not. */
  calls: number;
  /** Requests whose handler threw. */
  handlerErrors: number;
  /** Requests that could not be decoded. */
  decodeErrors: number;
  /** Messages dropped because they were not requests of this protocol. */
  badMessages: number;
  inFlight: number;
}

/**
 * An RPC server over ROUTER: each request is handled as it arrives, many at once, and its
 * answer goes back to the client that sent it with the request's call id, so one client
 * connection carries many concurrent calls. See protocol.ts for the wire format.
 */
export class RpcServer<S extends ServiceSpec> implements AsyncDisposable {
  /** The ROUTER socket, for options and monitor events. */
  readonly socket: Router;
  readonly #service: S;
  readonly #handlers: Handlers<S>;
  readonly #sender: SerialSender;
  readonly #concurrency: number;
  readonly #hooks: Pick<RpcServerOptions, "onDecodeError" | "onHandlerError">;
  readonly #serving: Promise<void>;
  readonly #stats = { calls: 0, handlerErrors: 0, decodeErrors: 0, badMessages: 0 };
  #inFlight = 0;
  #slotFreed: (() => void) | null = null;

  constructor(service: S, handlers: Handlers<S>, options?: RpcServerOptions) {
    const { concurrency = 256, onDecodeError, onHandlerError, ...socketOptions } = options ?? {};
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw Object.assign(new RangeError("concurrency must be an integer of at least 1"), { code: "EINVAL" });
    }
    for (const method of Object.keys(service)) {
      if (typeof (handlers as Record<string, unknown>)[method] !== "function") {
        throw Object.assign(new TypeError(`no handler for method ${method}`), { code: "EINVAL" });
      }
    }
    this.#service = service;
    this.#handlers = handlers;
    this.#concurrency = concurrency;
    this.#hooks = {
      onDecodeError: (err) => {
        this.#stats.decodeErrors++;
        onDecodeError?.(err);
      },
      onHandlerError: (err, method) => {
        this.#stats.handlerErrors++;
        onHandlerError?.(err, method);
      },
    };
    this.socket = new Router(socketOptions);
    this.#sender = new SerialSender(this.socket);
    this.#serving = this.#serve();
    // A failure other than closing surfaces from close(); until then it must not go unhandled.
    this.#serving.catch(() => {});
  }

  get lastEndpoint(): string | null {
    return this.socket.lastEndpoint;
  }

  get stats(): RpcServerStats {
    return { ...this.#stats, inFlight: this.#inFlight };
  }

  bind(address: string): Promise<void> {
    return this.socket.bind(address);
  }

  connect(address: string): void {
    this.socket.connect(address);
  }

  /** Stops at once: calls still running are not answered (clients time out and retry). */
  async close(): Promise<void> {
    await this.socket.close();
    this.#slotFreed?.();
    await this.#serving;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #serve(): Promise<void> {
    while (!this.socket.closed) {
      if (this.#inFlight >= this.#concurrency) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve));
        this.#slotFreed = null;
        continue;
      }
      let message: Buffer[];
      try {
        message = await this.socket.receive();
      } catch (err) {
        if (this.socket.closed) return;
        throw err;
      }
      this.#request(message);
    }
  }

  #request(message: Buffer[]): void {
    const head = parseHeader(message[1]);
    if (head === null || head.kind !== Kind.Request) {
      this.#stats.badMessages++;
      return;
    }
    const client = message[0]!;
    if (message.length < 4) {
      // A request without a method or a body: answer, so the caller is not left waiting.
      this.#answer(client, head.id, Kind.Error, [errorFrame("EPROTO", "request has no method or no body")]);
      return;
    }
    this.#inFlight++;
    void dispatch(this.#service, this.#handlers, message.slice(2), message, this.#hooks).then((answer) => {
      this.#inFlight--;
      this.#slotFreed?.();
      this.#answer(client, head.id, answer.kind, answer.frames);
    });
  }

  #answer(client: Buffer, id: number, kind: typeof Kind.Reply | typeof Kind.Error, frames: Buffer[]): void {
    this.#stats.calls++;
    if (this.socket.closed) return;
    // A ROUTER drops what it cannot route (the client is gone); nothing to wait for.
    this.#sender.send([client, header(kind, id), ...frames]).catch(() => {});
  }
}
