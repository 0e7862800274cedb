import type { OptionSpec, ParsedArgs } from "./args.js";
import { FORMATS, type LineFormat, type Format } from "./message-format.js";

export const FORMAT_OPTIONS: readonly OptionSpec[] = [
  { name: "format", short: "f", kind: "value", value: "FMT", choices: FORMATS, default: "text", description: "how a message is written on a line: text, hex or json" },
  { name: "separator", short: "s", kind: "value", value: "SEP", default: '"|"', description: 'what separates the frames of a multi-part message on a line ("" for none)' },
];

export const SOCKET_OPTION: OptionSpec = {
  name: "option",
  short: "o",
  kind: "list",
  value: "NAME=VALUE",
  description: "set a socket option by its zeromq name (sendHighWaterMark=10, curveServerKey=..., immediate=true)",
};

export const TIMEOUT_OPTION: OptionSpec = {
  name: "timeout",
  short: "t",
  kind: "value",
  value: "MS",
  default: "0, wait for ever",
  description: "give up (exit 3) after waiting this long for a peer, room to send, or a message",
};

export function lineFormat(args: ParsedArgs): LineFormat {
  return { format: (args.values.get("format") ?? "text") as Format, separator: args.values.get("separator") ?? "|" };
}
