/**
 * How a content filter travels upstream, and how filtered messages come back, using nothing
 * but ordinary ZMTP subscriptions, so it passes unchanged through any XSUB/XPUB forwarder
 * (wiremq's Proxy, libzmq's zmq_proxy) to the publisher.
 *
 * Each filtering subscriber socket picks a channel: 12 lowercase hex digits (48 random bits).
 * It sends two kinds of subscription (SUBSCRIBE = 0x01 + topic, CANCEL = 0x00 + topic):
 *
 *   channel subscription   0x00 "wmq-ch:" <channel> ":"
 *   filter declaration     0x00 "wmq-filter:" <UTF-8 JSON>
 *                          JSON = {"v":1,"ch":"<channel>","topic":"<topic>","where":<Where>}
 *
 * A publisher that knows this protocol runs each declared filter on the values it publishes
 * on that exact topic and sends every match once per channel, as
 *
 *   frame 0   0x00 "wmq-ch:" <channel> ":" <topic, UTF-8>
 *   frame 1…  the topic's codec frames, as in an unfiltered message
 *
 * Every pub/sub hop matches prefixes, so the channel subscription routes those copies to that
 * one subscriber and nowhere else; nothing that fails the filter leaves the publisher. The
 * declaration's own bytes are also a subscription prefix, but no message ever begins with them,
 * so to a plain PUB or a forwarder it is an inert entry. When the subscriber goes away its
 * XPUB peer reports the CANCELs, which is how a publisher forgets the filter.
 *
 * Readiness uses the same channel. After its other subscriptions a subscriber sends
 *
 *   hello                  0x00 "wmq-hello:" <channel> ":" <seq, decimal>
 *
 * with a fresh seq each time its subscriptions change (and cancels the previous hello). Each
 * hop forwards subscriptions in order, so a TopicPublisher that reads the hello holds every
 * subscription sent before it. It answers, on the subscriber's channel, with one message
 *
 *   frame 0   0x00 "wmq-ch:" <channel> ":" 0x00 "ready:" <seq>
 *
 * and counts subscribers as the channels that have a hello. A plain PUB answers nothing:
 * that silence is how a filtering subscriber learns its filters are ignored.
 *
 * Unfiltered messages keep the plain `zeromq` shape: frame 0 is the topic, frames 1… the
 * payload, so plain SUB sockets subscribing to topic prefixes interoperate. Because filtered
 * copies begin with 0x00, a plain subscriber subscribed to everything ("") receives them too;
 * plain subscribers should subscribe to topic names. Topic names may not begin with 0x00.
 */
import { randomBytes } from "node:crypto";
import { decodeUtf8 } from "../codec/string.js";

const CHANNEL_TAG = Buffer.from("\0wmq-ch:", "latin1");
const FILTER_TAG = Buffer.from("\0wmq-filter:", "latin1");
const HELLO_TAG = Buffer.from("\0wmq-hello:", "latin1");
const READY_TAG = Buffer.from("\0ready:", "latin1");
const SEQ_PATTERN = /^(0|[1-9][0-9]{0,14})$/;
const CHANNEL_LENGTH = 12;
const CHANNEL_PATTERN = /^[0-9a-f]{12}$/;
const COLON = 0x3a;
/** Declarations larger than this are ignored: a publisher parses them from the network. */
export const MAX_DECLARATION_BYTES = 16 * 1024;

export interface FilterDeclaration {
  channel: string;
  topic: string;
  where: unknown;
}

export function newChannel(): string {
  return randomBytes(CHANNEL_LENGTH / 2).toString("hex");
}

/** The subscription that routes a channel's filtered copies to its subscriber. */
export function channelSubscription(channel: string): Buffer {
  return Buffer.concat([CHANNEL_TAG, Buffer.from(channel, "latin1"), Buffer.of(COLON)]);
}

/** Frame 0 of a filtered copy of a message on `topic` for `channel`. */
export function channelFrame(channel: string, topic: Buffer): Buffer {
  return Buffer.concat([CHANNEL_TAG, Buffer.from(channel, "latin1"), Buffer.of(COLON), topic]);
}

/** The channel and topic of a filtered copy's frame 0, or null when it is not one. */
export function parseChannelFrame(frame: Buffer): { channel: string; topic: Buffer } | null {
  const head = CHANNEL_TAG.length + CHANNEL_LENGTH;
  if (frame.length <= head || !startsWith(frame, CHANNEL_TAG) || frame[head] !== COLON) return null;
  return { channel: frame.toString("latin1", CHANNEL_TAG.length, head), topic: frame.subarray(head + 1) };
}

export function filterDeclaration(declaration: FilterDeclaration): Buffer {
  const body = JSON.stringify({ v: 1, ch: declaration.channel, topic: declaration.topic, where: declaration.where });
  return Buffer.concat([FILTER_TAG, Buffer.from(body, "utf8")]);
}

/** The declaration in a subscription's topic bytes, or null when they are not a valid one. */
export function parseFilterDeclaration(topic: Buffer): FilterDeclaration | null {
  if (!startsWith(topic, FILTER_TAG) || topic.length > MAX_DECLARATION_BYTES) return null;
  let body: unknown;
  try {
    body = JSON.parse(decodeUtf8(topic.subarray(FILTER_TAG.length)));
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null) return null;
  const { v, ch, topic: name, where } = body as Record<string, unknown>;
  if (v !== 1 || typeof ch !== "string" || !CHANNEL_PATTERN.test(ch) || typeof name !== "string") return null;
  return { channel: ch, topic: name, where };
}

/** The hello a subscriber sends after its subscriptions (see above). */
export function helloSubscription(channel: string, seq: number): Buffer {
  return Buffer.concat([HELLO_TAG, Buffer.from(`${channel}:${seq}`, "latin1")]);
}

/** The channel and seq of a hello, or null when the topic is not a well-formed one. */
export function parseHello(topic: Buffer): { channel: string; seq: number } | null {
  if (!startsWith(topic, HELLO_TAG)) return null;
  const [channel, seq, ...rest] = topic.toString("latin1", HELLO_TAG.length).split(":");
  if (rest.length > 0 || channel === undefined || !CHANNEL_PATTERN.test(channel) || seq === undefined || !SEQ_PATTERN.test(seq)) return null;
  return { channel, seq: Number(seq) };
}

/** Frame 0 of a publisher's answer to a hello. */
export function readyFrame(channel: string, seq: number): Buffer {
  return channelFrame(channel, Buffer.concat([READY_TAG, Buffer.from(String(seq), "latin1")]));
}

/** The seq in the topic part of a channel message when it is a ready answer, else null. */
export function parseReady(topic: Buffer): number | null {
  if (!startsWith(topic, READY_TAG)) return null;
  const seq = topic.toString("latin1", READY_TAG.length);
  return SEQ_PATTERN.test(seq) ? Number(seq) : null;
}

export function isHello(topic: Buffer): boolean {
  return startsWith(topic, HELLO_TAG);
}

/** Whether a subscription is part of this protocol (a channel or a declaration). */
export function isChannelSubscription(topic: Buffer): boolean {
  return startsWith(topic, CHANNEL_TAG);
}

export function isFilterDeclaration(topic: Buffer): boolean {
  return startsWith(topic, FILTER_TAG);
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
