import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Stream,
  Subscriber,
  XPublisher,
  XSubscriber,
  type Readable,
  type Socket,
  type Writable,
} from "../../lib/index.js";
import { parseOptionSettings } from "../options.js";
import { CliError } from "./cli-error.js";

type SocketClass = new () => Socket;

/**
 * A socket of a type named at run time. Whether it can send or receive is known only then:
 * the commands check the type, and a wrong call still fails with ENOTSUP.
 */
export type AnySocket = Socket & Readable & Writable;

/** Every socket type, by the name zeromq gives it in lower case. */
const CLASSES: Readonly<Record<string, SocketClass>> = {
  push: Push,
  pull: Pull,
  pair: Pair,
  pub: Publisher,
  sub: Subscriber,
  xpub: XPublisher,
  xsub: XSubscriber,
  req: Request,
  rep: Reply,
  dealer: Dealer,
  router: Router,
  stream: Stream,
};
export const SOCKET_TYPES = Object.keys(CLASSES);

export function createSocket(type: string): AnySocket {
  const make = CLASSES[type];
  if (make === undefined) throw new CliError("EINVAL", `unknown socket type ${JSON.stringify(type)}; one of ${SOCKET_TYPES.join(", ")}`);
  return new make() as AnySocket;
}

/**
 * Applies `--option name=value` settings through the socket's own typed properties, so each
 * is checked as the library checks it (see parseOptionSettings).
 */
export function applySocketOptions(socket: Socket, settings: readonly string[]): void {
  const target = socket as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(parseOptionSettings(socket, settings))) {
    try {
      target[name] = value;
    } catch (err) {
      throw new CliError("EINVAL", `option ${name}: ${(err as Error).message}`);
    }
  }
}
