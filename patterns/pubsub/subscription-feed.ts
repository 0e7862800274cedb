import type { XPublisher } from "../../lib/index.js";

/** A SUBSCRIBE (0x01 + topic) or CANCEL (0x00 + topic) as an XPUB hands it to its user. */
export interface SubscriptionMessage {
  subscribe: boolean;
  topic: Buffer;
}

/** The subscription in a message from an XPUB, or null for anything else a subscriber sent. */
export function parseSubscription(msg: readonly Buffer[]): SubscriptionMessage | null {
  const frame = msg[0];
  if (msg.length !== 1 || frame === undefined || frame.length === 0 || frame[0]! > 1) return null;
  return { subscribe: frame[0] === 1, topic: frame.subarray(1) };
}

/**
 * Reads what an XPUB's subscribers send until the socket closes, handing each message to
 * `handle`. When a subscriber disconnects, wiremq's XPUB queues the CANCELs for the topics it
 * alone held but does not wake a receive() already waiting (a lib/sockets/xpub.ts bug), so they
 * would wait for the next subscription to arrive. Restarting the receive on each disconnect
 * event picks them up at once; harmless once that is fixed.
 */
export async function readSubscriptions(socket: XPublisher, handle: (msg: Buffer[]) => void): Promise<void> {
  let abort = new AbortController();
  const restart = (): void => abort.abort();
  // Kept: a closed socket's events property throws ENOTSOCK, as zeromq's does.
  const events = socket.events;
  events.on("disconnect", restart);
  try {
    while (!socket.closed) {
      let msg: Buffer[];
      try {
        msg = await socket.receive({ signal: abort.signal });
      } catch (err) {
        if (socket.closed) return;
        if (abort.signal.aborted) {
          abort = new AbortController();
          continue;
        }
        throw err;
      }
      handle(msg);
    }
  } finally {
    events.off("disconnect", restart);
  }
}
