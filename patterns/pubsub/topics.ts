import type { Codec, CodecValue } from "../codec/codec.js";
import { invalidArgument } from "../../lib/public-errors.js";

/**
 * The topics of a typed pub/sub system and the codec of each: `{ prices: json<Price>(),
 * news: string }`. Publisher and subscribers built from the same map agree on every type.
 */
// `any` here only widens the constraint; each member's real type is kept by inference.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Topics = Record<string, Codec<any>>;

/** The topic names of a topic map `S`. */
export type TopicName<S extends Topics> = keyof S & string;

/** The value type of topic `K` of a topic map `S`: what its codec encodes and decodes. */
export type TopicValue<S extends Topics, K extends TopicName<S>> = CodecValue<S[K]>;

/** A received message: narrowing on `topic` narrows `value`. */
export type TopicMessage<S extends Topics> = {
  [K in TopicName<S>]: { topic: K; value: TopicValue<S, K> };
}[TopicName<S>];

/** Checks the topic names of a map: frame 0 beginning with 0x00 is the filter protocol's. */
export function checkTopics(topics: Topics): void {
  for (const name of Object.keys(topics)) {
    if (name.startsWith("\0")) {
      throw invalidArgument(`topic ${JSON.stringify(name)}`, "may not begin with NUL");
    }
  }
}
