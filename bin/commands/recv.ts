import { Subscriber, type Socket } from "../../lib/index.js";
import { intValue, type ParsedArgs } from "../cli/args.js";
import { CliError } from "../cli/cli-error.js";
import type { Command } from "../cli/command.js";
import { FORMAT_OPTIONS, lineFormat, SOCKET_OPTION, TIMEOUT_OPTION } from "../cli/common-options.js";
import { attachSocket, ENDPOINT_OPTIONS } from "../cli/endpoints.js";
import { EXIT } from "../cli/exit-codes.js";
import { formatMessage, parseLine } from "../cli/message-format.js";
import { watchHandshakes } from "../cli/handshake-failure.js";
import { logLine, stopSignal, withTimeout, writeLine } from "../cli/runtime.js";
import { applySocketOptions, createSocket, type AnySocket } from "../cli/socket-factory.js";

const RECV_TYPES = ["pull", "sub", "xsub", "pair", "dealer", "router", "rep", "req", "xpub", "stream"];

export const recvCommand: Command = {
  spec: {
    name: "recv",
    summary: "receive messages and print one per line on stdout",
    usage: "--type TYPE (--bind ADDR | --connect ADDR)... [options]",
    options: [
      { name: "type", short: "T", kind: "value", value: "TYPE", choices: RECV_TYPES, description: `socket type: ${RECV_TYPES.join(", ")}` },
      ...ENDPOINT_OPTIONS,
      { name: "count", short: "n", kind: "value", value: "N", default: "0, until stopped", description: "exit after N messages" },
      TIMEOUT_OPTION,
      ...FORMAT_OPTIONS,
      { name: "subscribe", kind: "list", value: "PREFIX", default: "everything", description: "sub, xsub: topic prefix to subscribe to" },
      { name: "reply", kind: "value", value: "MESSAGE", default: "the request", description: "rep: the reply to each request" },
      { name: "request", kind: "value", value: "MESSAGE", default: "ready", description: "req: what to send before each receive" },
      { name: "done", kind: "value", value: "MESSAGE", description: "req: sent (and its reply awaited) after the last message, e.g. DONE for a buffer device" },
      { name: "linger", kind: "value", value: "MS", default: "1000", description: "how long closing may take to get replies out" },
      SOCKET_OPTION,
    ],
    details: [
      "Stops after --count messages, on SIGINT/SIGTERM (exit 0), or after --timeout with no message (exit 3).",
      "rep answers each request; req asks for each message, which is how a consumer of",
      "`wiremq proxy buffer` takes messages (--done DONE acknowledges the last one on leaving).",
    ].join("\n"),
    examples: [
      "wiremq recv --type pull --bind 'tcp://*:5555' --count 10",
      "wiremq recv -T sub -c tcp://127.0.0.1:5556 --subscribe weather. -f json",
      "wiremq recv -T req -c tcp://127.0.0.1:5560 --request ready --done DONE -n 100",
    ],
  },
  run: recv,
};

async function recv(args: ParsedArgs): Promise<typeof EXIT.OK> {
  const type = args.values.get("type");
  if (type === undefined) throw new CliError("EINVAL", "--type is required");
  const count = intValue(args, "count", 0);
  const timeout = intValue(args, "timeout", 0);
  const format = lineFormat(args);
  const asLine = (name: string): Buffer[] | undefined => {
    const text = args.values.get(name);
    return text === undefined ? undefined : parseLine(text, format);
  };
  const reply = asLine("reply");
  const request = asLine("request") ?? [Buffer.from("ready")];
  const done = asLine("done");
  const stop = stopSignal();

  const socket = createSocket(type);
  const handshakes = watchHandshakes(socket, args, logLine);
  try {
    socket.linger = intValue(args, "linger", 1000);
    applySocketOptions(socket, args.lists.get("option") ?? []);
    const prefixes = args.lists.get("subscribe") ?? [""];
    if (socket instanceof Subscriber) socket.subscribe(...prefixes);
    await attachSocket(socket, args, logLine);
    // XSUB subscribes by sending; it keeps them for publishers that connect later.
    if (type === "xsub") for (const p of prefixes) await socket.send(Buffer.concat([Buffer.from([1]), Buffer.from(p)]));

    for (let received = 0; count === 0 || received < count; received++) {
      if (type === "req") await withTimeout(socket.send(request), timeout, "room to send a request");
      const msg = await Promise.race([receiveUnlessStopped(socket, stop, timeout), handshakes.failed]);
      if (msg === null) break;
      writeLine(formatMessage(msg, format));
      if (type === "rep") await socket.send(reply ?? msg);
    }
    if (type === "req" && done !== undefined && !stop.aborted) {
      await withTimeout(socket.send(done), timeout, "room to send");
      await receiveUnlessStopped(socket, stop, timeout);
    }
  } finally {
    handshakes.stop();
    await socket.close();
  }
  return EXIT.OK;
}

/** The next message; null once stopped by a signal; EAGAIN (exit 3) after `timeout` ms. */
async function receiveUnlessStopped(socket: AnySocket, stop: AbortSignal, timeout: number): Promise<Buffer[] | null> {
  const signals = [stop];
  if (timeout > 0) signals.push(AbortSignal.timeout(timeout));
  try {
    return await socket.receive({ signal: AbortSignal.any(signals) });
  } catch (err) {
    if (stop.aborted) return null;
    if (timeout > 0 && (err as Error).name === "TimeoutError") {
      throw new CliError("EAGAIN", `timed out after ${timeout} ms waiting for a message`, EXIT.TIMEOUT);
    }
    throw err;
  }
}

