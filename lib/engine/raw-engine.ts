import type { Socket as NetSocket } from "node:net";
import type { Engine, EngineHost } from "./engine.js";
import type { Pipe, PipeDriver } from "./pipe.js";
import { ReadArena } from "./read-arena.js";
import { lingerWhile } from "./linger-stream.js";
import { attachReader, type StreamReader } from "../transports/reader.js";

const RAW_PROPERTIES = new Map([["socket-type", Buffer.from("STREAM")]]);

/**
 * A plain TCP connection for STREAM sockets: no greeting, no framing. Each chunk read is one
 * message; each message written is its bytes; an empty message closes the connection.
 */
export class RawEngine implements Engine, PipeDriver, StreamReader {
  readonly peerProperties = RAW_PROPERTIES;
  private pipe: Pipe | null = null;
  private flushScheduled = false;
  private closedFlag = false;
  private readonly arena = new ReadArena();

  constructor(
    private readonly sock: NetSocket,
    private readonly host: EngineHost,
  ) {
    sock.on("error", () => {});
    sock.on("close", () => this.closed());
    // The connection is half-open (see transports/stream.ts): the peer's end of stream ends ours.
    sock.on("end", () => sock.end());
    sock.on("drain", () => this.flush());
    attachReader(sock, this);
    // Attach after the constructor returns, so the host has recorded this engine.
    queueMicrotask(() => {
      if (this.closedFlag) return;
      const pipe = host.engineReady(this);
      if (pipe === null) {
        this.destroy();
        return;
      }
      this.pipe = pipe;
      pipe.driver = this;
      if (pipe.out.length > 0) this.kick();
    });
  }

  readBuffer(): Buffer | null {
    return this.arena.next();
  }

  onRead(buf: Buffer, n: number): void {
    const chunk = this.arena.take(buf, n);
    const pipe = this.pipe;
    if (pipe === null) return;
    pipe.deliver([chunk]);
    if (pipe.inboundFull && !pipe.readPaused) {
      pipe.readPaused = true;
      this.sock.pause();
    }
  }

  kick(): void {
    if (this.flushScheduled || this.closedFlag) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  flushNow(): void {
    this.flush();
  }

  resumeReading(): void {
    if (!this.closedFlag) this.sock.resume();
  }

  private flush(): void {
    const pipe = this.pipe;
    if (pipe === null || this.closedFlag) return;
    this.sock.cork();
    let msg;
    while (!this.sock.writableNeedDrain && (msg = pipe.out.shift()) !== undefined) {
      const data = msg[msg.length - 1]!;
      if (data.length === 0) {
        this.sock.uncork();
        this.sock.end();
        return;
      }
      this.sock.write(data);
    }
    this.sock.uncork();
    pipe.drained();
  }

  destroy(): void {
    this.sock.destroy();
    this.closed();
  }

  linger(ms: number): Promise<void> {
    return lingerWhile(this.sock, () => !this.closedFlag && this.pipe !== null && this.pipe.out.length + this.sock.writableLength > 0, ms);
  }

  private closed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    const wasReady = this.pipe !== null;
    if (this.pipe !== null && this.pipe.driver === this) this.pipe.driver = null;
    this.host.engineClosed(this, null, wasReady);
  }
}
