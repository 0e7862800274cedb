import { ZmqError } from "../errors.js";

/** Whether a socket binds or connects to an address. */
export interface EndpointSpec {
  mode: "bind" | "connect";
  address: string;
}

/** The part of a socket that endpoint specs act on. */
export interface Attachable {
  bind(address: string): Promise<void>;
  connect(address: string): void;
  readonly lastEndpoint: string | null;
}

/**
 * Reads CZMQ's endpoint notation: `@tcp://*:5555` binds, `>tcp://host:5555` connects, and a
 * plain address takes `defaultMode`. Several may be given separated by commas. The address
 * itself is checked by bind/connect, which throw EINVAL or EPROTONOSUPPORT for a bad one.
 */
export function parseEndpointSpecs(text: string, defaultMode: EndpointSpec["mode"]): EndpointSpec[] {
  if (typeof text !== "string" || text.trim() === "") throw new ZmqError("EINVAL", "endpoint must be a non-empty string");
  return text.split(",").map((part) => {
    const item = part.trim();
    if (item.startsWith("@")) return { mode: "bind", address: item.slice(1) };
    if (item.startsWith(">")) return { mode: "connect", address: item.slice(1) };
    return { mode: defaultMode, address: item };
  });
}

/** Binds and connects a socket as the specs say; returns the endpoints it ended up bound to. */
export async function attachEndpoints(socket: Attachable, specs: readonly EndpointSpec[]): Promise<string[]> {
  const bound: string[] = [];
  for (const spec of specs) {
    if (spec.mode === "bind") {
      await socket.bind(spec.address);
      bound.push(socket.lastEndpoint ?? spec.address);
    } else {
      socket.connect(spec.address);
    }
  }
  return bound;
}
