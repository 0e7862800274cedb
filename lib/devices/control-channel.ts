import { ZmqError } from "../errors.js";
import type { MessageLike } from "../sockets/message.js";
import { encodeStatistics, parseControlCommand } from "./control-protocol.js";
import type { TrafficCounts } from "./traffic-stats.js";

/** A device the control socket can steer. */
export interface Steerable {
  /** Stops passing messages on until `resume()` (what a PAUSE command does). */
  pause(): void;
  /** Passes messages on again after `pause()` (RESUME). */
  resume(): void;
  /** Ends the device: `run()` resolves once its sockets are closed (TERMINATE). */
  terminate(): void;
  /** Messages and bytes passed each way since the device started (STATISTICS). */
  statistics(): TrafficCounts;
}

/** The public socket surface a control socket needs. */
export interface ControlSocket {
  readonly socketType: string;
  readonly closed: boolean;
  /** The next command, as its frames. */
  receive(): Promise<Buffer[]>;
  /** Sends the answer to a command. */
  send(message: MessageLike[]): Promise<void>;
  /** Closes the socket; the device calls it on TERMINATE. */
  close(): Promise<void>;
}

/**
 * Control socket types and whether they answer: REP must answer every command (it cannot take
 * the next one otherwise), so it echoes the command, or sends `ERROR` + reason for a bad one;
 * PAIR answers STATISTICS only, as libzmq does; SUB and PULL only listen.
 */
const REPLIES: Readonly<Record<string, "all" | "statistics" | "none">> = {
  REP: "all",
  PAIR: "statistics",
  SUB: "none",
  PULL: "none",
};

export function checkControlSocket(socket: ControlSocket): void {
  if (!(socket.socketType in REPLIES)) {
    throw new ZmqError("EINVAL", `control socket must be REP, PAIR, SUB or PULL, not ${socket.socketType}`);
  }
}

/**
 * Reads commands from a control socket and applies them to a device until the socket closes.
 * A bad command never stops the device: it is counted, and a REP control socket is told why.
 */
export class ControlChannel {
  readonly #socket: ControlSocket;
  readonly #device: Steerable;
  #rejected = 0;

  constructor(socket: ControlSocket, device: Steerable) {
    checkControlSocket(socket);
    this.#socket = socket;
    this.#device = device;
  }

  /** Commands that were not understood. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Serves commands; resolves when the control socket is closed. */
  async serve(): Promise<void> {
    const socket = this.#socket;
    const replies = REPLIES[socket.socketType]!;
    for (;;) {
      let msg: Buffer[];
      try {
        msg = await socket.receive();
      } catch (err) {
        if (socket.closed) return;
        throw err;
      }
      let reply: MessageLike[] | null;
      let terminate = false;
      try {
        const command = parseControlCommand(msg);
        switch (command) {
          case "PAUSE":
            this.#device.pause();
            break;
          case "RESUME":
            this.#device.resume();
            break;
          case "TERMINATE":
            terminate = true;
            break;
          case "STATISTICS":
            break;
        }
        if (command === "STATISTICS") reply = replies === "none" ? null : encodeStatistics(this.#device.statistics());
        else reply = replies === "all" ? [command] : null;
      } catch (err) {
        this.#rejected++;
        const e = err as ZmqError;
        reply = replies === "all" ? ["ERROR", e.code, e.message] : null;
      }
      if (reply !== null) await this.#sendQuietly(reply);
      // Terminate after answering so a REP client is not left waiting.
      if (terminate) {
        this.#device.terminate();
        return;
      }
    }
  }

  async #sendQuietly(reply: MessageLike[]): Promise<void> {
    try {
      await this.#socket.send(reply);
    } catch (err) {
      if (!this.#socket.closed) throw err;
    }
  }
}
