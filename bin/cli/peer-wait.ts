import type { EventType, Socket, XPublisher } from "../../lib/index.js";

/**
 * Resolves once the socket has a peer to talk to. Register before bind/connect: events are
 * delivered after the fact. A ZMTP socket waits for a completed handshake, so a message is
 * never queued on a connection that may still fail; STREAM (plain TCP) for the connection.
 */
export function firstPeer(socket: Socket): Promise<void> {
  const types: EventType[] = socket.socketType === "STREAM" ? ["accept", "connect"] : ["handshake"];
  return new Promise((resolve) => {
    const done = (): void => {
      for (const t of types) socket.events.off(t, done);
      resolve();
    };
    for (const t of types) socket.events.on(t, done);
  });
}

/**
 * For `send --type pub` (an XPUB underneath): resolves at the first subscription, so the first
 * message is not lost to a subscriber that connected but has not subscribed yet.
 */
export async function firstSubscriber(xpub: XPublisher): Promise<void> {
  for (;;) {
    const [frame] = await xpub.receive();
    if (frame !== undefined && frame[0] === 1) return;
  }
}
