import { statSync } from "node:fs";
import { attachEndpoints, parseEndpointSpecs, Relay } from "../../lib/devices/index.js";
import type { ParsedArgs } from "../cli/args.js";
import { CliError } from "../cli/cli-error.js";
import type { Command } from "../cli/command.js";
import { EXIT } from "../cli/exit-codes.js";
import { logLine, stopSignal, whenAborted } from "../cli/runtime.js";

export const relayCommand: Command = {
  spec: {
    name: "relay",
    summary: "run a fan-out relay: deliver each message to the named local recipients it lists",
    usage: "--bind ENDPOINT... [--dir PATH] [--recipient NAME=ENDPOINT]...",
    options: [
      { name: "bind", short: "b", kind: "list", value: "ENDPOINT", description: "where senders reach this relay (>addr connects instead)" },
      { name: "dir", short: "d", kind: "value", value: "PATH", description: "a recipient NAME is also a PULL socket bound at ipc://PATH/NAME" },
      { name: "recipient", short: "r", kind: "list", value: "NAME=ENDPOINT", description: "a recipient NAME is the PULL socket at ENDPOINT" },
    ],
    details: [
      "Senders address recipients as RELAY-ENDPOINT#NAME (see Fanout in the library). Each message",
      "crosses the network once per relay; the relay reports every recipient as delivered, no such",
      "recipient, timed out or failed. A NAME that is itself a destination is passed on to that relay.",
      "Runs until SIGINT/SIGTERM; then prints what it did on stderr.",
    ].join("\n"),
    examples: [
      "wiremq relay --bind 'tcp://*:7000' --dir /run/wiremq/recipients",
      "wiremq relay -b tcp://10.0.0.5:7000 -r orders.eu=ipc:///run/orders-eu.sock",
    ],
  },
  run: relay,
};

async function relay(args: ParsedArgs): Promise<typeof EXIT.OK> {
  const binds = args.lists.get("bind") ?? [];
  if (binds.length === 0) throw new CliError("EINVAL", "give at least one --bind endpoint");
  const dir = args.values.get("dir");
  if (dir !== undefined) checkDirectory(dir);
  const node = new Relay(dir === undefined ? {} : { recipientDir: dir });
  try {
    for (const entry of args.lists.get("recipient") ?? []) {
      const eq = entry.indexOf("=");
      if (eq <= 0 || eq === entry.length - 1) throw new CliError("EINVAL", `--recipient takes NAME=ENDPOINT, not ${JSON.stringify(entry)}`);
      node.register(entry.slice(0, eq), entry.slice(eq + 1));
    }
    const stop = stopSignal();
    for (const spec of binds) {
      for (const ep of await attachEndpoints(node.socket, parseEndpointSpecs(spec, "bind"))) logLine(`bound ${ep}`);
    }
    // Serves until stopped; a failure of the relay itself ends the command with it.
    await Promise.race([whenAborted(stop), node.run()]);
  } finally {
    await node.close();
    const s = node.stats;
    const outcomes = Object.entries(s.outcomes).map(([k, v]) => `${k} ${v}`).join(", ");
    logLine(`relay stopped: ${s.requests} requests (${s.duplicates} repeated, ${s.malformed} malformed), ${s.bytesReceived} B; ${outcomes}`);
  }
  return EXIT.OK;
}

/** The relay would otherwise start and answer "no such recipient" for every name, saying nothing. */
function checkDirectory(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError("EINVAL", `--dir ${dir}: ${code === "ENOENT" ? "no such directory" : `cannot be read (${code ?? "error"})`}`);
  }
  if (!isDir) throw new CliError("EINVAL", `--dir ${dir}: not a directory`);
}
