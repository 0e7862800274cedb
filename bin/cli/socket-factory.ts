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
  type Socket,
} from "../../lib/index.js";
import { CliError } from "./cli-error.js";

type SocketClass = new () => Socket;

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

export function createSocket(type: string): Socket {
  const make = CLASSES[type];
  if (make === undefined) throw new CliError("EINVAL", `unknown socket type ${JSON.stringify(type)}; one of ${SOCKET_TYPES.join(", ")}`);
  return new make();
}

/**
 * Applies `--option name=value` settings through the socket's own typed properties, so each
 * is checked as the library checks it: a number option takes a number, a boolean true/false,
 * a string anything; `null` clears a string option.
 */
export function applySocketOptions(socket: Socket, settings: readonly string[]): void {
  const target = socket as unknown as Record<string, unknown>;
  for (const setting of settings) {
    const eq = setting.indexOf("=");
    if (eq <= 0) throw new CliError("EINVAL", `--option takes name=value, not ${JSON.stringify(setting)}`);
    const name = setting.slice(0, eq);
    const text = setting.slice(eq + 1);
    if (!(name in socket) || typeof target[name] === "function" || name === "events" || name === "closed" || name === "lastEndpoint") {
      throw new CliError("EINVAL", `unknown socket option ${JSON.stringify(name)}`);
    }
    const current = target[name];
    let value: unknown = text;
    if (typeof current === "number") {
      value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) throw new CliError("EINVAL", `option ${name} takes a number, not ${JSON.stringify(text)}`);
    } else if (typeof current === "boolean") {
      if (text !== "true" && text !== "false") throw new CliError("EINVAL", `option ${name} takes true or false, not ${JSON.stringify(text)}`);
      value = text === "true";
    } else if (text === "null") {
      value = null;
    }
    try {
      target[name] = value;
    } catch (err) {
      throw new CliError("EINVAL", `option ${name}: ${(err as Error).message}`);
    }
  }
}
