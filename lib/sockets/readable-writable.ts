/**
 * What a socket can do with messages, as zeromq's types say it: a socket type that cannot
 * send has no `send` in its type, and one that cannot receive has no `receive`, so such a
 * call does not compile. Each socket class implements the interfaces of its abilities.
 */
import type { MessageLike } from "./message.js";

/** A message part as `receive()` gives it. */
export type Message = Buffer;

/** A socket that sends messages of type M, with O the options after the message (draft types). */
export interface Writable<M extends MessageLike | MessageLike[] = MessageLike | MessageLike[], O extends [...object[]] = []> {
  multicastHops: number;
  sendBufferSize: number;
  sendHighWaterMark: number;
  sendTimeout: number;
  /** Resolves once the message is queued; rejects with EAGAIN when sendTimeout passes first. */
  send(message: M, ...options: O): Promise<void>;
}

/** A socket that receives messages of type M (an array of parts, or of a part and its details). */
export interface Readable<M extends object[] = Message[]> {
  receiveBufferSize: number;
  receiveHighWaterMark: number;
  receiveTimeout: number;
  /** Resolves with the next message; rejects with EAGAIN when receiveTimeout passes first. */
  receive(): Promise<M>;
  /** Every message until the socket closes. */
  [Symbol.asyncIterator](): AsyncIterator<M, undefined>;
}
