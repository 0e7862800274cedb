import { ZmqError } from "../errors.js";

/**
 * A fan-out destination: a relay node's endpoint and a recipient's name on that node, written
 * `endpoint#name`, for example `tcp://10.0.0.5:7000#orders.eu`. The split is at the first `#`,
 * so a name may itself be a destination (`tcp://a:7000#tcp://b:7000#orders`): the relay at `a`
 * passes it on to the relay at `b`, which is how a list spans sites.
 */
export interface Destination {
  /** As the caller wrote it. */
  readonly text: string;
  readonly node: string;
  readonly name: string;
}

/** Longest recipient name, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 1024;

const ENDPOINT = /^(tcp|ipc|inproc):\/\/[^#]+$/;

/**
 * Splits a fan-out destination `endpoint#name` at its first `#`, checking both halves.
 *
 * @throws WiremqError `EINVAL` when there is no `#`, the node is not a tcp://, ipc:// or
 * inproc:// endpoint, or the name is empty or longer than 1024 UTF-8 bytes.
 *
 * @example
 * ```ts
 * import { parseDestination } from "wiremq/devices";
 * const d = parseDestination("tcp://10.0.0.5:7000#orders.eu");
 * console.log(d.node, d.name);   // tcp://10.0.0.5:7000 orders.eu
 * ```
 */
export function parseDestination(text: string): Destination {
  if (typeof text !== "string") throw new ZmqError("EINVAL", "a destination must be a string");
  const hash = text.indexOf("#");
  if (hash < 0) throw new ZmqError("EINVAL", `destination ${JSON.stringify(text)} has no #name after its node endpoint`);
  const node = text.slice(0, hash);
  const name = text.slice(hash + 1);
  if (!ENDPOINT.test(node)) {
    throw new ZmqError("EINVAL", `destination ${JSON.stringify(text)}: node must be a tcp://, ipc:// or inproc:// endpoint`, { address: node });
  }
  checkRecipientName(name, text);
  return { text, node, name };
}

export function checkRecipientName(name: string, context = name): void {
  if (name.length === 0) throw new ZmqError("EINVAL", `destination ${JSON.stringify(context)} has an empty recipient name`);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new ZmqError("EINVAL", `recipient name in ${JSON.stringify(context.slice(0, 64))} is longer than ${MAX_NAME_BYTES} bytes`);
  }
}

/** Whether a recipient name names a destination further on (a relay passes those on). */
export function isOnward(name: string): boolean {
  return name.includes("://");
}

/**
 * Groups destinations by node, each name once per node, keeping first-seen order, so one copy
 * of a message goes to each node carrying the names of its recipients there.
 */
export function groupByNode(destinations: readonly Destination[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const d of destinations) {
    const key = `${d.node}#${d.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const names = groups.get(d.node);
    if (names === undefined) groups.set(d.node, [d.name]);
    else names.push(d.name);
  }
  return groups;
}
