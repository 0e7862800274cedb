import { ProtocolError, WiremqError } from "../errors.js";
import { ZWS_PAGE_UNFRAGMENTED_PAYLOAD, ZWS_SUBPROTOCOL, type ZwsSubprotocol } from "../wire/zws.js";
import type { ZwsChannel, ZwsChannelEvents } from "./zws-channel.js";
import { ChannelInbox } from "./channel-inbox.js";

/** The WHATWG WebSocket as a page has it (typed here: the build has no DOM types). */
export interface BrowserWebSocket {
  binaryType: string;
  readonly protocol: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string; wasClean?: boolean }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** While the WebSocket holds unsent bytes, look this often (ms) whether the network took them. */
const WRITABLE_POLL = 5;

/**
 * An open WHATWG WebSocket as the ZWS engine's channel. What the browser's WebSocket cannot do
 * is left undone, as its API allows: no ping (the browser answers the peer's, and sends none of
 * its own), no pause (reads cannot push back), no limit before a message is buffered (the
 * limit is checked on arrival), and no drain event (bufferedAmount is polled while non-zero).
 */
export class BrowserZwsChannel implements ZwsChannel {
  private readonly inbox = new ChannelInbox();
  private limit = 0;
  private poll: ReturnType<typeof setTimeout> | null = null;
  /** A peer that chose bare "ZWS2.0" is not wiremq: it may not reassemble a fragmented message. */
  readonly sendPayloadLimit: number;

  constructor(
    private readonly ws: BrowserWebSocket,
    readonly subprotocol: ZwsSubprotocol,
    readonly peerAddress: string,
  ) {
    this.sendPayloadLimit = subprotocol === ZWS_SUBPROTOCOL.BARE ? ZWS_PAGE_UNFRAGMENTED_PAYLOAD : 0;
    ws.onmessage = (event) => {
      const data = event.data;
      const binary = data instanceof ArrayBuffer;
      const bytes = binary ? new Uint8Array(data) : new TextEncoder().encode(String(data));
      if (this.limit > 0 && bytes.length > this.limit) {
        this.inbox.error = new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", `message of ${bytes.length} bytes exceeds ${this.limit}`);
        this.destroy();
        return;
      }
      this.inbox.message(bytes, binary);
    };
    ws.onclose = (event) => {
      if (this.poll !== null) clearTimeout(this.poll);
      this.poll = null;
      if (this.inbox.error === null && event.wasClean === false) this.inbox.error = new WiremqError("ECONNRESET", `WebSocket closed (code ${event.code ?? 1006})`);
      this.inbox.end();
    };
    ws.onerror = () => {};
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  attach(events: ZwsChannelEvents): void {
    this.inbox.attach(events);
  }

  send(payloads: readonly Uint8Array[]): void {
    if (this.ws.readyState !== 1) return;
    for (const p of payloads) this.ws.send(p);
    this.watchWritable();
  }

  private watchWritable(): void {
    if (this.poll !== null || this.inbox.ended) return;
    let before = this.ws.bufferedAmount;
    const look = (): void => {
      this.poll = null;
      const now = this.ws.bufferedAmount;
      if (now < before) this.inbox.events?.writable();
      before = now;
      if (now > 0 && !this.inbox.ended) this.poll = setTimeout(look, WRITABLE_POLL);
    };
    this.poll = setTimeout(look, before > 0 ? WRITABLE_POLL : 0);
  }

  ping(): void {}

  pause(): void {}

  resume(): void {}

  setPayloadLimit(bytes: number): void {
    this.limit = bytes;
  }

  close(): void {
    if (this.ws.readyState <= 1) this.ws.close(1000);
  }

  destroy(): void {
    // A page cannot cut a connection short: a close frame is all its WebSocket offers.
    this.close();
  }
}
