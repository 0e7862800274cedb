import type { Event, EventAddress, EventError, EventInterval } from "../../lib/index.js";
import { intValue, type ParsedArgs } from "../cli/args.js";
import { CliError } from "../cli/cli-error.js";
import type { Command } from "../cli/command.js";
import { SOCKET_OPTION, TIMEOUT_OPTION } from "../cli/common-options.js";
import { attachSocket, ENDPOINT_OPTIONS } from "../cli/endpoints.js";
import { EXIT } from "../cli/exit-codes.js";
import { logLine, stopSignal, whenAborted, withTimeout, writeLine } from "../cli/runtime.js";
import { applySocketOptions, createSocket, SOCKET_TYPES } from "../cli/socket-factory.js";

export const monitorCommand: Command = {
  spec: {
    name: "monitor",
    summary: "open a socket and print its events (connect, handshake, disconnect, errors, ...)",
    usage: "(--bind ADDR | --connect ADDR)... [--type TYPE] [options]",
    options: [
      { name: "type", short: "T", kind: "value", value: "TYPE", choices: SOCKET_TYPES, default: "dealer", description: "socket type to open" },
      ...ENDPOINT_OPTIONS,
      { name: "until", short: "u", kind: "value", value: "EVENT", description: "exit 0 at the first event of this type (handshake, connect, accept, ...)" },
      { name: "count", short: "n", kind: "value", value: "N", default: "0, until stopped", description: "exit after N events" },
      { ...TIMEOUT_OPTION, description: "give up (exit 3) when --until or --count is not met within MS" },
      { name: "json", kind: "flag", description: "print each event as a JSON object" },
      SOCKET_OPTION,
    ],
    details: "Each event is one line: time, type, address, and an interval or error code when there is one.",
    examples: [
      "wiremq monitor --connect tcp://10.0.0.5:7000 --until handshake --timeout 2000",
      "wiremq monitor -T router -b 'tcp://*:7000' --json",
    ],
  },
  run: monitor,
};

async function monitor(args: ParsedArgs): Promise<typeof EXIT.OK> {
  const until = args.values.get("until");
  const count = intValue(args, "count", 0);
  const timeout = intValue(args, "timeout", 0);
  if (timeout > 0 && until === undefined && count === 0) throw new CliError("EINVAL", "--timeout needs --until or --count");
  const json = args.flags.has("json");
  const stop = stopSignal();
  const socket = createSocket(args.values.get("type") ?? "dealer");
  try {
    applySocketOptions(socket, args.lists.get("option") ?? []);
    const printing = (async () => {
      let seen = 0;
      for (;;) {
        const event = await socket.events.receive();
        writeLine(json ? JSON.stringify(toJson(event)) : toText(event));
        if (event.type === until || (count > 0 && ++seen >= count)) return;
      }
    })().catch((err: unknown) => {
      // The monitor ends when the socket closes (stopped or timed out): not a failure.
      if (!socket.closed) throw err;
    });
    await attachSocket(socket, args, logLine);
    await withTimeout(Promise.race([printing, whenAborted(stop)]), timeout, until === undefined ? `${count} events` : `a ${until} event`);
  } finally {
    await socket.close();
  }
  return EXIT.OK;
}

/** Any event, with the details some types carry. */
type AnyEvent = Event & Partial<EventAddress & EventInterval & EventError<Error & { code?: string }>>;

function toText(e: AnyEvent): string {
  const parts = [new Date().toISOString(), e.type];
  if (e.address !== undefined) parts.push(e.address);
  if (e.interval !== undefined) parts.push(`interval=${e.interval}`);
  if (e.error !== undefined) parts.push(`error=${e.error.code ?? "?"}`, JSON.stringify(e.error.message));
  return parts.join(" ");
}

function toJson(e: AnyEvent): object {
  return {
    time: new Date().toISOString(),
    type: e.type,
    ...(e.address === undefined ? {} : { address: e.address }),
    ...(e.interval === undefined ? {} : { interval: e.interval }),
    ...(e.error === undefined ? {} : { error: { code: e.error.code, message: e.error.message } }),
  };
}
