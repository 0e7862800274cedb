import { Dealer } from "../../lib/index.js";
import { SerialSender } from "../internal/serial-sender.js";

/** Options for each server's DEALER; linger is always 0 and receives never time out. */
export type DealerOptions = Omit<NonNullable<ConstructorParameters<typeof Dealer>[0]>, "linger" | "receiveTimeout">;

/** What a link tells the client that owns it. */
export interface LinkHost<Call> {
  /** A message arrived from the server. */
  onMessage(link: ServerLink<Call>, message: Buffer[]): void;
  /** The connection was lost, or cannot be made: calls sent here may never be answered. */
  onDown(link: ServerLink<Call>): void;
}

/** How much a link is to be trusted with the next call. */
export type LinkState = "connecting" | "up" | "down";

/**
 * A client's connection to one server: a DEALER of its own, so the client chooses the server
 * for each call (and knows which calls a dead server took with it). `recycle()` replaces the
 * socket with a fresh one, as the Lazy Pirate pattern does after a timeout: what the old one
 * still had queued for the server is dropped rather than delivered late.
 */
export class ServerLink<Call> {
  /** Calls whose latest attempt went to this server. */
  readonly calls = new Set<Call>();
  state: LinkState = "connecting";
  /** Until this time (performance.now()), other servers are preferred: this one just failed. */
  penalizedUntil = 0;
  /** Handshakes so far, over all its sockets: a request sent while none had completed, on a
   * socket since closed with linger 0, provably never left this process. */
  handshakes = 0;
  /** The server said it is draining: no new calls until a new connection is made. */
  draining = false;
  #socket: Dealer;
  #sender: SerialSender;
  /** Recycled sockets still closing; close() waits for them. */
  readonly #closing = new Set<Promise<void>>();

  constructor(
    readonly endpoint: string,
    readonly options: DealerOptions,
    readonly host: LinkHost<Call>,
  ) {
    [this.#socket, this.#sender] = this.#open();
  }

  get closed(): boolean {
    return this.#socket.closed;
  }

  /** Sends one message; `failed` is told if the socket refused it (so it certainly was not sent). */
  send(message: Buffer[], failed?: () => void): void {
    this.#sender.send(message).catch(() => failed?.());
  }

  /** Closes the socket (dropping what it still queues) and connects a fresh one. */
  recycle(): void {
    if (this.#socket.closed) return;
    this.#retire(this.#socket);
    this.state = "connecting";
    [this.#socket, this.#sender] = this.#open();
  }

  async close(): Promise<void> {
    this.#retire(this.#socket);
    await Promise.all(this.#closing);
  }

  #retire(socket: Dealer): void {
    const closing = socket.close();
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }

  #open(): [Dealer, SerialSender] {
    // linger 0 whatever the options say: a recycled socket's queue is stale by definition.
    const socket = new Dealer({ ...this.options, linger: 0 });
    const current = (): boolean => socket === this.#socket;
    socket.events.on("handshake", () => {
      if (!current()) return;
      this.state = "up";
      this.handshakes++;
      this.draining = false;
    });
    const down = (): void => {
      if (!current()) return;
      this.state = "down";
      this.host.onDown(this);
    };
    socket.events.on("disconnect", down);
    socket.events.on("connect:retry", down);
    socket.connect(this.endpoint);
    void this.#receive(socket);
    return [socket, new SerialSender(socket)];
  }

  async #receive(socket: Dealer): Promise<void> {
    while (!socket.closed) {
      let message: Buffer[];
      try {
        message = await socket.receive();
      } catch {
        // Only closing ends a DEALER's receive (it has no receive timeout here).
        return;
      }
      this.host.onMessage(this, message);
    }
  }
}
