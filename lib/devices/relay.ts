import { setMaxListeners } from "node:events";
import { ZmqError } from "../errors.js";
import { Router } from "../sockets/router.js";
import { DeliveryCache } from "./delivery-cache.js";
import { isOnward, parseDestination } from "./destination.js";
import { Fanout } from "./fanout.js";
import { decodeFanout, encodeReport, type DeliverRequest, type RecipientStatus } from "./fanout-wire.js";
import { LocalRecipients, type RecipientHandler } from "./local-recipients.js";
import { MAX_TIMER_MS } from "./node-link.js";
import { SerialSender } from "./serial-sender.js";

/** Options of a {@link Relay}. */
export interface RelayOptions {
  /** Recipients are also PULL sockets bound at `ipc://<recipientDir>/<name>`. */
  recipientDir?: string;
}

/** What a relay has done since it started. */
export interface RelayStats {
  requests: number;
  /** Payload and names of the DELIVERs received, in bytes (ZMTP framing not counted). */
  bytesReceived: number;
  /** DELIVERs seen before (re-sent by their sender), answered without delivering again. */
  duplicates: number;
  /** Messages that were not fan-out requests, dropped. */
  malformed: number;
  outcomes: Record<RecipientStatus, number>;
}

/**
 * A fan-out relay: runs on a node, takes one copy of a message with the names of its local
 * recipients (from a `Fanout`, see fanout-wire.ts), delivers a copy to each, and answers with
 * every recipient's outcome. A name that is itself a destination (`tcp://host:port#name`) is
 * passed on to that further relay, so relays form a tree across sites.
 */
export class Relay {
  readonly recipients: LocalRecipients;
  readonly #router = new Router({ handover: true });
  readonly #replies = new SerialSender(this.#router);
  readonly #seen = new DeliveryCache();
  #onward: Fanout | null = null;
  #running: Promise<void> | null = null;
  readonly #stats: RelayStats = {
    requests: 0,
    bytesReceived: 0,
    duplicates: 0,
    malformed: 0,
    outcomes: { delivered: 0, "no-such-recipient": 0, "timed-out": 0, failed: 0 },
  };

  constructor(options: RelayOptions = {}) {
    if (typeof options !== "object" || options === null) throw new ZmqError("EINVAL", "options must be an object");
    if (options.recipientDir !== undefined && typeof options.recipientDir !== "string") {
      throw new ZmqError("EINVAL", "recipientDir must be a path");
    }
    this.recipients = new LocalRecipients(options.recipientDir);
  }

  /** The socket senders connect to: bind or connect it, watch its `events`. */
  get socket(): Router {
    return this.#router;
  }

  get lastEndpoint(): string | null {
    return this.#router.lastEndpoint;
  }

  get stats(): RelayStats {
    return { ...this.#stats, outcomes: { ...this.#stats.outcomes } };
  }

  /** Binds the relay's ROUTER, where `Fanout`s and upstream relays connect. */
  bind(address: string): Promise<void> {
    return this.#router.bind(address);
  }

  /** A recipient by name: a handler in this process, or the endpoint of its PULL socket. */
  register(name: string, target: RecipientHandler | string): void {
    this.recipients.register(name, target);
  }

  /** Forgets a recipient; true if there was one by that name. */
  unregister(name: string): boolean {
    return this.recipients.unregister(name);
  }

  /** Serves requests until `close()`. */
  run(): Promise<void> {
    this.#running ??= this.#serve();
    return this.#running;
  }

  /** Stops serving, then closes the recipients' sockets and the links to onward relays. */
  async close(): Promise<void> {
    await this.#router.close();
    await this.#running;
    await Promise.all([this.recipients.close(), this.#onward?.close()]);
  }

  async #serve(): Promise<void> {
    const router = this.#router;
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await router.receive();
      } catch (err) {
        if (router.closed) return;
        throw err;
      }
      const sender = frames.shift()!;
      let request;
      try {
        request = decodeFanout(frames);
        if (request.kind !== "deliver") throw new ZmqError("EPROTO", "relay takes DELIVER only");
      } catch {
        this.#stats.malformed++;
        continue;
      }
      this.#stats.requests++;
      for (const f of frames.slice(1)) this.#stats.bytesReceived += f.length;
      this.#accept(sender, request);
    }
  }

  #accept(sender: Buffer, request: DeliverRequest): void {
    const key = request.id.toString("hex");
    const seen = this.#seen.check(key);
    if (seen !== "new") {
      this.#stats.duplicates++;
      // In progress: the report goes to the same routing id when it is done.
      if (seen !== "in-progress") void this.#reply(sender, seen);
      return;
    }
    void this.#deliverAll(request)
      // Deliveries report their own outcomes; should one throw anyway, its sender still hears back.
      .catch((): RecipientStatus[] => request.names.map(() => "failed"))
      .then((statuses) => {
        const report = encodeReport(request.id, statuses);
        this.#seen.done(key, report);
        for (const s of statuses) this.#stats.outcomes[s]++;
        return this.#reply(sender, report);
      });
  }

  async #reply(sender: Buffer, report: Buffer[]): Promise<void> {
    try {
      await this.#replies.send([sender, ...report]);
    } catch {
      // Closed meanwhile; the sender will time out, as it would if we had gone down.
    }
  }

  async #deliverAll(request: DeliverRequest): Promise<RecipientStatus[]> {
    const signal = AbortSignal.timeout(ttlOf(request));
    // Every local recipient of the message listens on this one signal.
    setMaxListeners(0, signal);
    const statuses = new Array<RecipientStatus>(request.names.length);
    const onward: number[] = [];
    const local: Promise<void>[] = [];
    request.names.forEach((name, i) => {
      if (isOnward(name)) onward.push(i);
      else local.push(this.recipients.deliver(name, request.payload, signal).then((s) => void (statuses[i] = s)));
    });
    if (onward.length > 0) local.push(this.#passOn(request, onward, statuses));
    await Promise.all(local);
    return statuses;
  }

  /** Sends the onward names to their relays in one fan-out and copies their outcomes back. */
  async #passOn(request: DeliverRequest, indexes: number[], statuses: RecipientStatus[]): Promise<void> {
    const valid: number[] = [];
    for (const i of indexes) {
      try {
        parseDestination(request.names[i]!);
        valid.push(i);
      } catch {
        statuses[i] = "no-such-recipient";
      }
    }
    if (valid.length === 0) return;
    this.#onward ??= new Fanout();
    try {
      const names = valid.map((i) => request.names[i]!);
      const report = await this.#onward.send(request.payload, names, { timeout: ttlOf(request) });
      const byDestination = new Map(report.results.map((r) => [r.destination, r.status]));
      for (const i of valid) statuses[i] = byDestination.get(request.names[i]!) ?? "timed-out";
    } catch {
      // The onward fan-out was closed with the relay.
      for (const i of valid) statuses[i] = "failed";
    }
  }
}

/** A TTL as a Node timer can hold it: the wire allows up to 2^32-1 ms, a timer 2^31-1. */
function ttlOf(request: DeliverRequest): number {
  return Math.min(MAX_TIMER_MS, Math.max(1, request.ttlMs));
}
