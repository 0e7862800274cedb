import { WiremqTypeError, zmqError } from "../errors.js";

/** sockaddr_un's sun_path on Linux, terminator included. */
const IPC_PATH_ROOM = 108;

export type Endpoint =
  | { transport: "tcp"; host: string; port: number; anyPort: boolean; anyHost: boolean; family: 4 | 6; source?: string; address: string }
  | { transport: "ipc"; path: string; wildcard: boolean; address: string }
  | { transport: "inproc"; name: string; address: string }
  | WsEndpoint;

/** `ws://host:port/path` (ZWS 2.0) or `wss://` (the same over TLS); the path defaults to "/". */
export interface WsEndpoint {
  transport: "ws";
  secure: boolean;
  host: string;
  port: number;
  anyPort: boolean;
  anyHost: boolean;
  family: 4 | 6;
  path: string;
  address: string;
}

/**
 * Parses `tcp://host:port`, `tcp://*:*`, `tcp://[::1]:0`, `tcp://src;dst`, `ipc:///path`,
 * `ipc://@abstract`, `inproc://name`. Throws EPROTONOSUPPORT / EINVAL with `address` set.
 */
export function parseEndpoint(address: string, forBind: boolean): Endpoint {
  if (typeof address !== "string") {
    throw new WiremqTypeError("EINVAL", "Address must be a string");
  }
  const m = /^([a-z0-9+.-]+):\/\/(.*)$/i.exec(address);
  if (!m) throw zmqError("EINVAL", "Invalid argument", { address });
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  switch (scheme) {
    case "tcp":
      return parseTcp(address, rest, forBind);
    case "ipc": {
      // "@" alone is an abstract name of no characters, which libzmq refuses.
      if (rest === "" || rest === "@") throw zmqError("EINVAL", "Invalid argument", { address });
      // A path longer than sockaddr_un holds (108 bytes with its terminator on Linux) would be
      // cut short by the kernel, and two long names could meet at one socket: refuse, as libzmq.
      if (Buffer.byteLength(rest) >= IPC_PATH_ROOM) throw zmqError("ENAMETOOLONG", "File name too long", { address });
      const wildcard = rest === "*";
      return { transport: "ipc", path: rest, wildcard, address };
    }
    case "inproc":
      if (rest === "") throw zmqError("EINVAL", "Invalid argument", { address });
      return { transport: "inproc", name: rest, address };
    case "ws":
    case "wss":
      return parseWs(address, rest, forBind, scheme === "wss");
    default:
      throw zmqError("EPROTONOSUPPORT", "Protocol not supported", { address });
  }
}

function parseTcp(address: string, rest: string, forBind: boolean): Extract<Endpoint, { transport: "tcp" }> {
  let source: string | undefined;
  const semi = rest.indexOf(";");
  if (semi >= 0) {
    source = rest.slice(0, semi);
    rest = rest.slice(semi + 1);
  }
  let host: string;
  let portText: string;
  let family: 4 | 6 = 4;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0 || rest[close + 1] !== ":") throw zmqError("EINVAL", "Invalid argument", { address });
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
    family = 6;
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon <= 0) throw zmqError("EINVAL", "Invalid argument", { address });
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(":")) family = 6;
  }
  let port: number;
  let anyPort = false;
  if (portText === "*" || portText === "0") {
    if (!forBind) throw zmqError("EINVAL", "Invalid argument", { address });
    port = 0;
    anyPort = true;
  } else if (/^\d{1,5}$/.test(portText) && Number(portText) <= 65535) {
    port = Number(portText);
  } else {
    throw zmqError("EINVAL", "Invalid argument", { address });
  }
  const anyHost = host === "*";
  if (anyHost) {
    if (!forBind) throw zmqError("EINVAL", "Invalid argument", { address });
    host = family === 6 ? "::" : "0.0.0.0";
  }
  if (host === "") throw zmqError("EINVAL", "Invalid argument", { address });
  return { transport: "tcp", host, port, anyPort, anyHost, family, source, address };
}

/**
 * A ws endpoint is a tcp one (host, port, the same wildcards) followed by an optional path.
 * libzmq serves any path on a bound port; the path matters to the HTTP servers in between.
 */
function parseWs(address: string, rest: string, forBind: boolean, secure: boolean): WsEndpoint {
  const close = rest.startsWith("[") ? rest.indexOf("]") : -1;
  const slash = rest.indexOf("/", close < 0 ? 0 : close);
  const hostPort = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "/" : rest.slice(slash);
  if (hostPort.includes(";") || /[\s?#]/.test(path)) throw zmqError("EINVAL", "Invalid argument", { address });
  const tcp = parseTcp(address, hostPort, forBind);
  if (tcp.transport !== "tcp") throw zmqError("EINVAL", "Invalid argument", { address });
  const { host, port, anyPort, anyHost, family } = tcp;
  return { transport: "ws", secure, host, port, anyPort, anyHost, family, path, address };
}

/** A bound ws endpoint as libzmq's lastEndpoint shows it: `ws://127.0.0.1:41733/`. */
export function formatWs(secure: boolean, host: string, port: number, path: string): string {
  const scheme = secure ? "wss" : "ws";
  return host.includes(":") ? `${scheme}://[${host}]:${port}${path}` : `${scheme}://${host}:${port}${path}`;
}

export function formatTcp(host: string, port: number): string {
  return host.includes(":") ? `tcp://[${host}]:${port}` : `tcp://${host}:${port}`;
}
