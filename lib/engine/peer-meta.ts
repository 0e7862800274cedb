import type { Mechanism } from "../mechanisms/mechanism.js";
import type { Msg } from "./pipe.js";

/**
 * A received message from an authenticated peer carries the ZAP handler's User-Id and the
 * peer's metadata (READY properties and ZAP metadata, names lower-cased).
 */
export type MessageWithMeta = Msg & { userId?: string; properties?: Map<string, Buffer> };

/** Who the peer is, once ZAP said so. */
export interface PeerMeta {
  userId: string;
  properties: Map<string, Buffer>;
}

/** What each message from the peer will carry after the handshake; null when ZAP said nothing. */
export function peerMetaOf(mech: Mechanism): PeerMeta | null {
  if (mech.userId === "" && mech.zapProperties.size === 0) return null;
  const properties = new Map(mech.peerProperties);
  for (const [k, v] of mech.zapProperties) properties.set(k, v);
  properties.set("user-id", Buffer.from(mech.userId));
  return { userId: mech.userId, properties };
}

/** Attaches the peer's User-Id and metadata to a message it sent (nothing when `meta` is null). */
export function withPeerMeta(msg: Msg, meta: PeerMeta | null): Msg {
  if (meta !== null) {
    (msg as MessageWithMeta).userId = meta.userId;
    (msg as MessageWithMeta).properties = meta.properties;
  }
  return msg;
}
