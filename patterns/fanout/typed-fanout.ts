import { Fanout, type FanoutOptions, type FanoutReport, type FanoutSendOptions, type RecipientHandler } from "../../lib/devices/index.js";
import { decodeFrames, encodeValue, type Codec } from "../codec/codec.js";

/**
 * A destination as the compiler checks it: a relay node's endpoint, `#`, and a recipient
 * name. `Name` narrows the names to those a system knows (`Recipient<"billing" | "audit">`),
 * so a misspelt recipient or one without its `#name` does not compile.
 */
export type Recipient<Name extends string = string> = `${"tcp" | "ipc" | "ws" | "wss" | "inproc"}://${string}#${Name}`;

/**
 * A fan-out of typed values: one codec for every message, so every recipient decodes the
 * same type, and destinations typed as {@link Recipient}s. One copy crosses the network to
 * each relay node, which delivers it to its recipients there (see `Fanout` in wiremq/devices).
 *
 * @example
 * ```ts
 * import { Relay } from "wiremq/devices";
 * import { json, typedFanout, typedRecipient, type Recipient } from "wiremq/patterns";
 *
 * interface Price { symbol: string; bid: number }
 * const prices = json<Price>();
 * const relay = new Relay();
 * await relay.bind("tcp://127.0.0.1:*");
 * const serving = relay.run();
 * relay.register("desk", typedRecipient(prices, (p) => console.log(p.symbol, p.bid)));
 * const fanout = typedFanout<Price, "desk" | "audit">(prices);
 * const to: Recipient<"desk" | "audit">[] = [`${relay.lastEndpoint!}#desk` as Recipient<"desk">];
 * const report = await fanout.send({ symbol: "ACME", bid: 101.5 }, to);
 * console.log(report.counts.delivered);
 * await fanout.close();
 * await relay.close();
 * await serving;
 * ```
 */
export class TypedFanout<T, Name extends string = string> implements AsyncDisposable {
  /** The untyped fan-out underneath, for its options and statistics. */
  readonly fanout: Fanout;

  constructor(
    readonly codec: Codec<T>,
    options?: FanoutOptions,
  ) {
    this.fanout = new Fanout(options);
  }

  /** Encodes `value` once (EncodeError when it cannot be) and sends it to every recipient; the report says what became of each. */
  send(value: T, recipients: readonly Recipient<Name>[], options?: FanoutSendOptions): Promise<FanoutReport> {
    return this.fanout.send(encodeValue(this.codec, value), recipients, options);
  }

  close(): Promise<void> {
    return this.fanout.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A {@link TypedFanout} of `codec`'s values: the same as `new TypedFanout(codec, options)`. */
export function typedFanout<T, Name extends string = string>(codec: Codec<T>, options?: FanoutOptions): TypedFanout<T, Name> {
  return new TypedFanout<T, Name>(codec, options);
}

/**
 * A relay's in-process recipient that decodes each message with `codec` before `handle` sees
 * it. A message that does not decode throws a DecodeError, which the relay reports to the
 * sender as `failed` for this recipient.
 */
export function typedRecipient<T>(codec: Codec<T>, handle: (value: T) => void | Promise<void>): RecipientHandler {
  return (message) => handle(decodeFrames(codec, message));
}
