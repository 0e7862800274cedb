import type { Msg, Pipe } from "../engine/pipe.js";
import { zmqError } from "../errors.js";
import { Socket, type ConnectOptions } from "./socket.js";
import type { SocketOptionsInit } from "./socket-options.js";
import { incompatibleProtocol, isUdpAddress, udpEndpoints } from "./udp-registry.js";
import { registerSocketClass } from "./socket-registry.js";
import { sealAs } from "./seal.js";

/** The options a DGRAM socket takes in its constructor (zeromq's names). */
export type DatagramOptions = SocketOptionsInit;

/**
 * DGRAM (draft): raw UDP datagrams over a bound udp:// endpoint. A message is two frames,
 * the peer's "ip:port" and the body: `receive()` gives the sender's address (with the NUL
 * libzmq ends it with) and `send([address, body])` sends the body to that address.
 */
export class Datagram extends Socket {
  private pipe: Pipe | null = null;
  private readonly udp = udpEndpoints((endpoint) => this.openOwnPipe(endpoint));

  constructor(options?: DatagramOptions) {
    super("DGRAM", options);
    sealAs(this, new.target, Datagram);
  }

  /** Every message until the socket closes, as receive() gives them (see lib/draft.ts for the type). */
  [Symbol.asyncIterator](): AsyncIterator<Msg, undefined> {
    return this.messages();
  }

  // Not async: what the base class throws at the call (EBADF, EBUSY, EINVAL) stays thrown.
  override bind(address: string): Promise<void> {
    if (!isUdpAddress(address) || this.closed) {
      return super.bind(address).then(() => {
        this.udp.lastBound = null;
      });
    }
    return this.udp.bind(address, { kind: "dgram" });
  }

  override connect(address: string, options?: ConnectOptions): void {
    if (isUdpAddress(address) && !this.closed) throw incompatibleProtocol(address);
    super.connect(address, options);
  }

  override get lastEndpoint(): string | null {
    return this.udp.lastBound ?? super.lastEndpoint;
  }

  override close(): Promise<void> {
    this.udp.close();
    return super.close();
  }

  /** One peer at a time, as libzmq's DGRAM. */
  protected override acceptsPipe(): boolean {
    return this.pipe === null || this.pipe.terminated;
  }

  protected attach(pipe: Pipe): void {
    this.pipe = pipe;
  }

  protected detach(pipe: Pipe): void {
    if (this.pipe === pipe && pipe.in.length === 0) this.pipe = null;
  }

  protected override xsend(msg: Msg): boolean {
    const pipe = this.pipe;
    if (pipe === null || pipe.terminated) return false;
    if (!pipe.hasRoom) {
      pipe.wantWritable = true;
      return false;
    }
    if (msg.length !== 2) throw zmqError("EINVAL", "Invalid argument");
    pipe.write(msg);
    return true;
  }

  protected override xrecv(): Msg | undefined {
    const pipe = this.pipe;
    if (pipe === null) return undefined;
    const msg = pipe.read();
    if (pipe.terminated && pipe.in.length === 0) this.pipe = null;
    return msg;
  }

  protected get canSend(): boolean {
    return this.pipe !== null && this.pipe.hasRoom;
  }

  protected get canReceive(): boolean {
    return this.pipe !== null && this.pipe.in.length > 0;
  }
}

registerSocketClass("DGRAM", Datagram);
