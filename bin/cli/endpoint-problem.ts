/**
 * Why an endpoint was refused, in words: the library says only "Invalid argument" (zeromq's
 * text, kept for the drop-in), which does not tell a person typing a command what to change.
 * Null when nothing is visibly wrong with its shape (the refusal came from elsewhere).
 */
export function endpointProblem(address: string): string | null {
  const sep = address.indexOf("://");
  if (sep <= 0) return "an endpoint is TRANSPORT://ADDRESS, e.g. tcp://127.0.0.1:5555, ipc:///tmp/sock, inproc://name";
  const transport = address.slice(0, sep);
  const rest = address.slice(sep + 3);
  switch (transport) {
    case "tcp":
    case "udp":
    case "ws":
    case "wss":
      return hostPortProblem(transport, rest.slice(rest.lastIndexOf(";") + 1).split("/")[0]!);
    case "ipc":
      return rest === "" ? "an ipc endpoint needs a path: ipc:///path/to/socket (or ipc://@name, abstract)" : null;
    case "inproc":
      return rest === "" ? "an inproc endpoint needs a name: inproc://name" : null;
    default:
      return `no transport is named "${transport}"`;
  }
}

function hostPortProblem(transport: string, hostPort: string): string | null {
  const colon = hostPort.lastIndexOf(":");
  if (colon < 0 || hostPort.endsWith("]")) return `a ${transport} endpoint needs a port: ${transport}://HOST:PORT (port * or 0 picks a free one)`;
  const host = hostPort.slice(0, colon);
  const port = hostPort.slice(colon + 1);
  if (host === "") return `a ${transport} endpoint needs a host before the port (* for every interface)`;
  if (port !== "*" && (!/^\d+$/.test(port) || Number(port) > 65535)) return `the port must be a number from 0 to 65535, or *, not "${port}"`;
  return null;
}
