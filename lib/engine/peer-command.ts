import { ProtocolError } from "../errors.js";
import { CANCEL, ERROR, GROUP_MAX_LENGTH, JOIN, LEAVE, PING, PONG, SUBSCRIBE, encodePong, isCommand, parseCommand, parseError, parsePing } from "../wire/command.js";
import { groupCommand } from "./group-command.js";
import type { Msg } from "./pipe.js";

/** What a command received after the handshake asks of the engine. */
export type PeerCommand =
  /** Answer with `pong`; the peer expects traffic within `ttl` ms (0: no limit). */
  | { kind: "ping"; pong: Buffer; ttl: number }
  | { kind: "pong" }
  /** Hand `msg` to the socket: a subscription as a 3.0 data frame, or a DISH's JOIN/LEAVE. */
  | { kind: "deliver"; msg: Msg }
  /** Unknown commands are ignored, as libzmq does. */
  | { kind: "ignore" };

const PONG_COMMAND: PeerCommand = { kind: "pong" };
const IGNORE: PeerCommand = { kind: "ignore" };

/**
 * Reads a command a peer sent after the handshake. An ERROR command throws ProtocolError
 * ZMTP_PEER_ERROR, which closes the connection. JOIN and LEAVE count only on RADIO/DISH
 * connections (`groupCommands`).
 */
export function readPeerCommand(body: Buffer, groupCommands: boolean): PeerCommand {
  if (isCommand(body, PING)) {
    const ping = parsePing(parseCommand(body).data);
    return { kind: "ping", pong: encodePong(ping.context), ttl: ping.ttl };
  }
  if (isCommand(body, PONG)) return PONG_COMMAND;
  if (isCommand(body, SUBSCRIBE) || isCommand(body, CANCEL)) {
    // A socket takes subscriptions in the 3.0 form: a data frame 01/00 + topic.
    const topic = body.subarray(1 + body[0]!);
    const frame = Buffer.allocUnsafe(1 + topic.length);
    frame[0] = body[0] === SUBSCRIBE.length ? 1 : 0;
    topic.copy(frame, 1);
    return { kind: "deliver", msg: [frame] };
  }
  if (groupCommands && (isCommand(body, JOIN) || isCommand(body, LEAVE))) {
    const group = body.subarray(1 + body[0]!);
    // libzmq cannot hold a longer group; such a command is ignored.
    if (group.length > GROUP_MAX_LENGTH) return IGNORE;
    return { kind: "deliver", msg: groupCommand(body[0] === JOIN.length ? JOIN : LEAVE, Buffer.from(group)) };
  }
  if (isCommand(body, ERROR)) {
    throw new ProtocolError("ZMTP_PEER_ERROR", `peer sent ERROR: ${parseError(parseCommand(body).data)}`);
  }
  return IGNORE;
}
