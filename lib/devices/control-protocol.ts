import { ZmqError } from "../errors.js";
import type { TrafficCounts } from "./traffic-stats.js";

/** The commands libzmq's `zmq_proxy_steerable` understands on its control socket. */
export type ControlCommand = "PAUSE" | "RESUME" | "TERMINATE" | "STATISTICS";

const COMMANDS: ReadonlySet<string> = new Set<ControlCommand>(["PAUSE", "RESUME", "TERMINATE", "STATISTICS"]);

/**
 * Reads a control message: one frame holding a command name in ASCII, exactly as libzmq
 * expects it (case-sensitive, no terminator). Anything else is EINVAL.
 */
export function parseControlCommand(msg: readonly Buffer[]): ControlCommand {
  if (msg.length !== 1) throw new ZmqError("EINVAL", `control message must have one frame, got ${msg.length}`);
  const text = msg[0]!.toString("latin1");
  if (!COMMANDS.has(text)) throw new ZmqError("EINVAL", `unknown control command ${JSON.stringify(text.slice(0, 32))}`);
  return text as ControlCommand;
}

/**
 * The STATISTICS reply as libzmq sends it: eight frames of 8-byte unsigned integers (libzmq
 * copies a host-order uint64_t; we write little-endian, which is that order on every platform
 * libzmq is commonly built for): front-end messages in, bytes in, messages out, bytes out,
 * then the same four for the back-end.
 */
export function encodeStatistics(counts: TrafficCounts): Buffer[] {
  const f = counts.frontEnd;
  const b = counts.backEnd;
  return [f.messagesIn, f.bytesIn, f.messagesOut, f.bytesOut, b.messagesIn, b.bytesIn, b.messagesOut, b.bytesOut].map(
    (n) => {
      const frame = Buffer.allocUnsafe(8);
      frame.writeBigUInt64LE(BigInt(n));
      return frame;
    },
  );
}

/** Reads a STATISTICS reply back into counts (for clients and tests). */
export function decodeStatistics(msg: readonly Buffer[]): TrafficCounts {
  if (msg.length !== 8 || msg.some((f) => f.length !== 8)) {
    throw new ZmqError("EPROTO", "STATISTICS reply must be eight 8-byte frames");
  }
  const n = msg.map((f) => Number(f.readBigUInt64LE()));
  return {
    frontEnd: { messagesIn: n[0]!, bytesIn: n[1]!, messagesOut: n[2]!, bytesOut: n[3]! },
    backEnd: { messagesIn: n[4]!, bytesIn: n[5]!, messagesOut: n[6]!, bytesOut: n[7]! },
  };
}
