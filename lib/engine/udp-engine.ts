import type { DatagramPort } from "../transports/udp.js";
import { decodeGroupDatagram, decodePeerAddress, encodeGroupDatagram, encodePeerAddress } from "../wire/udp-datagram.js";
import type { Pipe, PipeDriver } from "./pipe.js";

/**
 * What a udp:// pipe carries, as in libzmq's udp engine: a RADIO's messages out to one
 * address, a DISH's in from anyone, or a DGRAM's both ways with the peer's address as frame 0.
 */
export type UdpRole =
  | { kind: "radio"; host: string; port: number }
  | { kind: "dish" }
  | { kind: "dgram" };

/**
 * Serves one pipe over a datagram socket: no handshake, one datagram per message. UDP has no
 * backpressure: a datagram that finds the pipe's inbound full is dropped, as libzmq drops it.
 */
export class UdpEngine implements PipeDriver {
  private flushScheduled = false;
  private closed = false;
  /** Datagrams handed to the socket and not yet sent: closing waits for them. */
  private sending = 0;
  private readonly sent = (): void => {
    if (--this.sending === 0 && this.closed) this.port.close();
  };

  constructor(
    private readonly port: DatagramPort,
    private readonly pipe: Pipe,
    private readonly role: UdpRole,
  ) {
    pipe.driver = this;
    if (role.kind !== "radio") port.onMessage((datagram, from) => this.received(datagram, from.address, from.port));
    if (pipe.out.length > 0) this.kick();
  }

  private received(datagram: Buffer, ip: string, fromPort: number): void {
    const pipe = this.pipe;
    if (this.closed || pipe.inboundFull) return;
    if (this.role.kind === "dish") {
      const decoded = decodeGroupDatagram(datagram);
      if (decoded !== null) pipe.deliver([decoded.group, decoded.body]);
    } else {
      pipe.deliver([encodePeerAddress(ip, fromPort), datagram]);
    }
  }

  kick(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  flushNow(): void {
    this.flush();
  }

  private flush(): void {
    if (this.closed) return;
    const role = this.role;
    for (let msg = this.pipe.out.shift(); msg !== undefined; msg = this.pipe.out.shift()) {
      if (role.kind === "radio") {
        if (msg.length === 2) this.send(encodeGroupDatagram(msg[0]!, msg[1]!), role.port, role.host);
      } else if (role.kind === "dgram" && msg.length === 2) {
        const to = decodePeerAddress(msg[0]!);
        if (to !== null) this.send(msg[1]!, to.port, to.host);
      }
      // A DISH's joins and leaves have nowhere to go over udp: it filters by itself.
    }
    this.pipe.drained();
  }

  private send(datagram: Buffer, port: number, host: string): void {
    this.sending++;
    this.port.send(datagram, port, host, this.sent);
  }

  resumeReading(): void {}

  /** Sends what is queued, then closes the datagram socket once the kernel has it all. */
  destroy(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.sending === 0) this.port.close();
    if (this.pipe.driver === this) this.pipe.driver = null;
  }
}
