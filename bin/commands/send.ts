import { XPublisher, type Socket } from "../../lib/index.js";
import { intValue, type ParsedArgs } from "../cli/args.js";
import { CliError } from "../cli/cli-error.js";
import type { Command } from "../cli/command.js";
import { FORMAT_OPTIONS, lineFormat, SOCKET_OPTION, TIMEOUT_OPTION } from "../cli/common-options.js";
import { attachSocket, ENDPOINT_OPTIONS, usesInproc } from "../cli/endpoints.js";
import { EXIT } from "../cli/exit-codes.js";
import { formatMessage, parseLine } from "../cli/message-format.js";
import { watchHandshakes } from "../cli/handshake-failure.js";
import { firstPeer, firstSubscriber } from "../cli/peer-wait.js";
import { logLine, stdinLines, withTimeout, writeLine } from "../cli/runtime.js";
import { applySocketOptions, createSocket, type AnySocket } from "../cli/socket-factory.js";

const SEND_TYPES = ["push", "pub", "xpub", "xsub", "pair", "dealer", "router", "req", "stream"];

export const sendCommand: Command = {
  spec: {
    name: "send",
    summary: "send messages given as arguments, or one per line of stdin",
    usage: "--type TYPE (--bind ADDR | --connect ADDR)... [options] [MESSAGE...]",
    positionals: true,
    options: [
      { name: "type", short: "T", kind: "value", value: "TYPE", choices: SEND_TYPES, description: `socket type: ${SEND_TYPES.join(", ")}` },
      ...ENDPOINT_OPTIONS,
      ...FORMAT_OPTIONS,
      TIMEOUT_OPTION,
      { name: "linger", kind: "value", value: "MS", default: "5000", description: "how long closing may take to get queued messages out" },
      SOCKET_OPTION,
    ],
    details: [
      "Each MESSAGE argument, or else each line of stdin, is one message; frames are split at the separator.",
      "Sending starts once a peer has completed its handshake (pub: once a subscriber has subscribed),",
      "so the first messages are not lost. req prints each reply on stdout; router takes the routing id",
      "as the first frame; stream writes the frames' bytes to the TCP peer that connected first.",
    ].join("\n"),
    examples: [
      "wiremq send --type push --connect tcp://127.0.0.1:5555 hello 'two|frames'",
      "seq 3 | wiremq send --type pub --bind 'tcp://*:5556'",
      "wiremq send -T req -c tcp://127.0.0.1:5557 -f json '[\"ping\", {\"hex\": \"00ff\"}]'",
    ],
  },
  run: send,
};

async function send(args: ParsedArgs): Promise<typeof EXIT.OK> {
  const type = args.values.get("type");
  if (type === undefined) throw new CliError("EINVAL", "--type is required");
  const timeout = intValue(args, "timeout", 0);
  const format = lineFormat(args);
  // PUB is an XPUB underneath: the same to subscribers, but it sees when the first one subscribes.
  const socket: AnySocket = type === "pub" ? new XPublisher() as AnySocket : createSocket(type);
  let handshakes: ReturnType<typeof watchHandshakes> | undefined;
  try {
    socket.linger = intValue(args, "linger", 5000);
    applySocketOptions(socket, args.lists.get("option") ?? []);
    const ready = usesInproc(args) ? Promise.resolve() : type === "pub" ? firstSubscriber(socket as XPublisher) : firstPeer(socket);
    const streamPeer = type === "stream" ? firstStreamPeer(socket) : null;
    handshakes = watchHandshakes(socket, args, logLine);
    await attachSocket(socket, args, logLine);
    await withTimeout(Promise.race([ready, handshakes.failed]), timeout, type === "pub" ? "a subscriber" : "a peer");
    const peerId = streamPeer === null ? null : await withTimeout(streamPeer, timeout, "a TCP peer");

    let lineNumber = 0;
    const lines = args.positionals.length > 0 ? args.positionals : stdinLines();
    for await (const line of lines) {
      lineNumber++;
      let frames: Buffer[];
      try {
        frames = parseLine(line, format);
      } catch (err) {
        throw new CliError(err instanceof CliError ? err.code : "EINVAL", `message ${lineNumber}: ${(err as Error).message}`);
      }
      if (peerId !== null) frames = [peerId, Buffer.concat(frames)];
      await withTimeout(socket.send(frames), timeout, "room to send");
      if (type === "req") writeLine(formatMessage(await withTimeout(socket.receive(), timeout, "a reply"), format));
    }
  } finally {
    handshakes?.stop();
    await socket.close();
  }
  return EXIT.OK;
}

/** STREAM announces a TCP peer as [routing id, ""]: that id addresses it. */
async function firstStreamPeer(socket: AnySocket): Promise<Buffer> {
  for (;;) {
    const [id, data] = await socket.receive();
    if (id !== undefined && data !== undefined && data.length === 0) return id;
  }
}
