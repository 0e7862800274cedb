import type { Socket } from "../../lib/index.js";
import type { OptionSpec, ParsedArgs } from "./args.js";
import { CliError } from "./cli-error.js";

export const ENDPOINT_OPTIONS: readonly OptionSpec[] = [
  { name: "bind", short: "b", kind: "list", value: "ADDR", description: "bind to an endpoint (tcp://127.0.0.1:*, ipc:///path, ...)" },
  { name: "connect", short: "c", kind: "list", value: "ADDR", description: "connect to an endpoint" },
];

/**
 * Binds and connects as asked. Each bound endpoint is printed to stderr as `bound <endpoint>`,
 * so a script (or a test) that bound port `*` learns the port.
 */
export async function attachSocket(socket: Socket, args: ParsedArgs, log: (line: string) => void): Promise<void> {
  const binds = args.lists.get("bind") ?? [];
  const connects = args.lists.get("connect") ?? [];
  if (binds.length === 0 && connects.length === 0) throw new CliError("EINVAL", "give at least one --bind or --connect endpoint");
  for (const address of binds) {
    await socket.bind(address);
    log(`bound ${socket.lastEndpoint ?? address}`);
  }
  for (const address of connects) socket.connect(address);
}

/** Whether any endpoint is inproc (no handshake events come from the connecting side there). */
export function usesInproc(args: ParsedArgs): boolean {
  return [...(args.lists.get("bind") ?? []), ...(args.lists.get("connect") ?? [])].some((a) => a.startsWith("inproc://"));
}
