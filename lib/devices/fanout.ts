import { randomBytes } from "node:crypto";
import { ZmqError } from "../errors.js";
import { toFrames, type MessageLike } from "../sockets/message.js";
import { groupByNode } from "./destination.js";
import { DestinationLists } from "./destination-lists.js";
import { ID_BYTES, RECIPIENT_STATUSES, type RecipientStatus } from "./fanout-wire.js";
import { checkTimeout, NodeLink } from "./node-link.js";

/** Options of a {@link Fanout}. */
export interface FanoutOptions {
  /** Default time a send waits for every node's report, in ms (default 5000). */
  timeout?: number;
}

/** Options of one `Fanout.send`. */
export interface FanoutSendOptions {
  timeout?: number;
}

/** The outcome of one destination in a {@link FanoutReport}. */
export interface DestinationResult {
  destination: string;
  status: RecipientStatus;
}

/** What became of one message: every distinct destination once, in the order given. */
export interface FanoutReport {
  /** The message id (hex), as relays log it. */
  id: string;
  results: DestinationResult[];
  counts: Record<RecipientStatus, number>;
}

/**
 * Sends a message to a list of destinations (`node-endpoint#name`) spread over relay nodes,
 * crossing the network once per node: destinations are grouped by node, and each node's
 * `Relay` gets one copy with the names of its recipients there and delivers it locally. The
 * promise resolves with a report of every destination: delivered, no such recipient, timed
 * out (no report from its node by the deadline; unreachable nodes are retried until then), or
 * failed. See fanout-wire.ts for the bytes.
 */
export class Fanout {
  readonly lists = new DestinationLists();
  readonly #links = new Map<string, NodeLink>();
  /** One id for all our connections, so a relay can answer over whichever is up. */
  readonly #routingId = `fanout-${randomBytes(8).toString("hex")}`;
  readonly #timeout: number;
  #closed = false;

  constructor(options: FanoutOptions = {}) {
    this.#timeout = checkTimeout(options.timeout ?? 5000);
  }

  /** Defines (or redefines) a named list of destinations and other list names. */
  define(name: string, entries: readonly string[]): void {
    this.lists.define(name, entries);
  }

  /**
   * Sends one message to every destination (`endpoint#name`, or the name of a list made with
   * `define`), one copy per relay node, and resolves with a report of each destination once every
   * node has answered or the timeout has passed.
   *
   * @throws WiremqError `EBADF` once closed; `EINVAL` for no destination, a bad one or a bad timeout.
   */
  async send(message: MessageLike | MessageLike[], destinations: string | readonly string[], options: FanoutSendOptions = {}): Promise<FanoutReport> {
    if (this.#closed) throw new ZmqError("EBADF", "Fanout is closed");
    const payload = toFrames(message);
    const timeout = checkTimeout(options.timeout ?? this.#timeout);
    const resolved = this.lists.resolve(typeof destinations === "string" ? [destinations] : destinations);
    if (resolved.length === 0) throw new ZmqError("EINVAL", "no destinations");
    const groups = groupByNode(resolved);
    // Open every link before sending, so a bad node endpoint fails the call before anything goes out.
    const links = [...groups.keys()].map((node) => this.#link(node));

    const id = randomBytes(ID_BYTES);
    const deadline = Date.now() + timeout;
    const expiry = new AbortController();
    const timer = setTimeout(() => expiry.abort(new ZmqError("EAGAIN", "fan-out deadline passed")), timeout);
    const outcome = new Map<string, RecipientStatus>();
    try {
      await Promise.all(
        links.map(async (link) => {
          const names = groups.get(link.node)!;
          const statuses = await link.request(id, names, payload, deadline, expiry.signal);
          names.forEach((name, i) => outcome.set(`${link.node}#${name}`, statuses?.[i] ?? "timed-out"));
        }),
      );
    } finally {
      clearTimeout(timer);
    }
    return buildReport(id, resolved.map((d) => ({ key: `${d.node}#${d.name}`, text: d.text })), outcome);
  }

  /** Closes every node connection; sends still waiting report their nodes as timed out. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const links = [...this.#links.values()];
    this.#links.clear();
    await Promise.all(links.map((l) => l.close()));
  }

  get closed(): boolean {
    return this.#closed;
  }

  #link(node: string): NodeLink {
    let link = this.#links.get(node);
    if (link === undefined) {
      link = new NodeLink(node, this.#routingId);
      this.#links.set(node, link);
    }
    return link;
  }
}

function buildReport(id: Buffer, destinations: Array<{ key: string; text: string }>, outcome: Map<string, RecipientStatus>): FanoutReport {
  const counts = Object.fromEntries(RECIPIENT_STATUSES.map((s) => [s, 0])) as Record<RecipientStatus, number>;
  const results: DestinationResult[] = [];
  const seen = new Set<string>();
  for (const d of destinations) {
    if (seen.has(d.key)) continue;
    seen.add(d.key);
    const status = outcome.get(d.key) ?? "timed-out";
    counts[status]++;
    results.push({ destination: d.text, status });
  }
  return { id: id.toString("hex"), results, counts };
}
