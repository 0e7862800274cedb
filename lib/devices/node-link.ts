import { ZmqError } from "../errors.js";
import { Dealer } from "../sockets/dealer.js";
import { decodeFanout, encodeDeliver, type RecipientStatus } from "./fanout-wire.js";
import { SerialSender } from "./serial-sender.js";

/** A DELIVER waiting for its REPORT. */
interface InFlight {
  id: Buffer;
  names: readonly string[];
  payload: readonly Buffer[];
  deadline: number;
  signal: AbortSignal;
  /** Handed to a live connection at least once. */
  written: boolean;
  /** Its connection ended after it was written, so it may not have arrived. */
  maybeLost: boolean;
  resolve(statuses: RecipientStatus[]): void;
}

/** The share of the remaining time a relay gets for its deliveries, so its report is back in time. */
function relayTtl(deadline: number): number {
  const left = deadline - Date.now();
  return Math.max(1, left - Math.min(250, left / 5));
}

/**
 * The sender's side of one relay node: a DEALER connected to the node's ROUTER.
 *
 * `immediate` keeps a request out of any queue while the node is unreachable: it waits to be
 * sent until a connection is up (the dialer retries meanwhile), and is dropped from the wait
 * at its deadline, so a node that comes back late never gets a stale message. A request whose
 * connection breaks after it was written is sent again on the next connection; the relay
 * answers a repeated id without delivering it twice. A fixed routing id lets the relay's
 * answer find us over the new connection.
 */
export class NodeLink {
  readonly node: string;
  readonly #dealer: Dealer;
  readonly #sender: SerialSender;
  readonly #inFlight = new Map<string, InFlight>();
  readonly #receiving: Promise<void>;
  /** Reports that did not match anything in flight (late, or not ours). */
  strayReports = 0;

  constructor(node: string, routingId: string) {
    this.node = node;
    this.#dealer = new Dealer({ immediate: true, routingId, linger: 0 });
    this.#sender = new SerialSender(this.#dealer);
    this.#dealer.events.on("disconnect", () => this.#connectionLost());
    this.#dealer.events.on("handshake", () => this.#resendLost());
    try {
      this.#dealer.connect(node);
    } catch (err) {
      // A bad node endpoint (EINVAL, EPROTONOSUPPORT) fails the send that named it.
      void this.#dealer.close();
      throw err;
    }
    // receive() fails only once the dealer is closed, which ends the loop; nothing to report.
    this.#receiving = this.#receiveReports().catch(() => undefined);
  }

  /**
   * Sends one DELIVER and resolves with the node's statuses, or with null when the deadline
   * (the signal) comes first.
   */
  request(id: Buffer, names: readonly string[], payload: readonly Buffer[], deadline: number, signal: AbortSignal): Promise<RecipientStatus[] | null> {
    return new Promise((resolve) => {
      const key = id.toString("hex");
      const entry: InFlight = { id, names, payload, deadline, signal, written: false, maybeLost: false, resolve };
      const giveUp = (): void => {
        if (this.#inFlight.get(key) !== entry) return;
        this.#inFlight.delete(key);
        resolve(null);
      };
      if (signal.aborted) return resolve(null);
      signal.addEventListener("abort", giveUp, { once: true });
      entry.resolve = (statuses) => {
        signal.removeEventListener("abort", giveUp);
        resolve(statuses);
      };
      this.#inFlight.set(key, entry);
      this.#send(entry);
    });
  }

  async close(): Promise<void> {
    await this.#dealer.close();
    await this.#receiving;
    for (const entry of this.#inFlight.values()) entry.resolve(entry.names.map(() => "timed-out"));
    this.#inFlight.clear();
  }

  #send(entry: InFlight): void {
    this.#sender
      .send(() => encodeDeliver(entry.id, relayTtl(entry.deadline), entry.names, entry.payload), { signal: entry.signal })
      .then(
        () => {
          entry.written = true;
        },
        () => {
          // Aborted at the deadline (already answered), or the link closed: nothing to do.
        },
      );
  }

  #connectionLost(): void {
    for (const entry of this.#inFlight.values()) if (entry.written) entry.maybeLost = true;
  }

  #resendLost(): void {
    for (const entry of this.#inFlight.values()) {
      if (!entry.maybeLost) continue;
      entry.maybeLost = false;
      entry.written = false;
      this.#send(entry);
    }
  }

  async #receiveReports(): Promise<void> {
    const dealer = this.#dealer;
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await dealer.receive();
      } catch (err) {
        if (dealer.closed) return;
        throw err;
      }
      let report;
      try {
        report = decodeFanout(frames);
      } catch {
        this.strayReports++;
        continue;
      }
      const key = report.id.toString("hex");
      const entry = this.#inFlight.get(key);
      if (report.kind !== "report" || entry === undefined || report.statuses.length !== entry.names.length) {
        this.strayReports++;
        continue;
      }
      this.#inFlight.delete(key);
      entry.resolve(report.statuses);
    }
  }
}

/** The longest delay a Node timer holds; above it Node fires after 1 ms. */
export const MAX_TIMER_MS = 0x7fffffff;

export function checkTimeout(timeout: unknown): number {
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMER_MS) {
    throw new ZmqError("EINVAL", `timeout must be a positive number of ms, at most ${MAX_TIMER_MS}`);
  }
  return timeout;
}
