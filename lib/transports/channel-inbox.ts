import type { ZwsChannelEvents } from "./zws-channel.js";

/**
 * The receiving side a ZWS channel shares with its engine: what arrives before the engine
 * attaches (messages, the end and its error) is held and handed over at attach; after, it
 * goes straight through. Used by the `ws` channel in Node and the page's WebSocket channel.
 */
export class ChannelInbox {
  events: ZwsChannelEvents | null = null;
  /** Why the connection ended, once known (kept for an engine that attaches later). */
  error: Error | null = null;
  ended = false;
  private held: Array<[Uint8Array, boolean]> = [];

  message(data: Uint8Array, binary: boolean): void {
    if (this.events !== null) this.events.message(data, binary);
    else this.held.push([data, binary]);
  }

  /** The connection closed: told to the engine now, or when it attaches. */
  end(): void {
    this.ended = true;
    this.events?.closed(this.error);
  }

  attach(events: ZwsChannelEvents): void {
    this.events = events;
    const held = this.held;
    this.held = [];
    for (const [data, binary] of held) events.message(data, binary);
    if (this.ended) events.closed(this.error);
  }
}
