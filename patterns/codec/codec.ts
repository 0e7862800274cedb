/**
 * A codec turns values of one TypeScript type into message frames and back. Every typed
 * pattern takes one, so the type of what is sent and received follows from it: a producer and
 * a consumer built from the same codec cannot disagree without the compiler saying so.
 */
import { WiremqError } from "../../lib/public-errors.js";
/**
 * Turns values of type `T` into message frames and back; every typed pattern takes one. Use the
 * built-in `raw`, `string`, `json` and `protobuf`, or write your own: `encode` and `decode`
 * throw (anything) for a value or frames they refuse, and the pattern reports it as an
 * EncodeError (`EENCODE`, thrown to the sender) or a DecodeError (`EDECODE`, the message is
 * skipped and counted).
 *
 * @example
 * ```ts
 * import { DecodeError, type Codec } from "wiremq/patterns";
 * const uint32: Codec<number> = {
 *   name: "uint32",
 *   encode: (n) => {
 *     const b = Buffer.alloc(4);
 *     b.writeUInt32BE(n);
 *     return [b];
 *   },
 *   decode: (frames) => {
 *     if (frames.length !== 1 || frames[0]!.length !== 4) throw new DecodeError("uint32", frames, "want one 4-byte frame");
 *     return frames[0]!.readUInt32BE(0);
 *   },
 * };
 * ```
 */
export interface Codec<T> {
  /** Names the codec in errors and logs, e.g. `json` or `protobuf:orders.Order`. */
  readonly name: string;
  // Function-typed properties rather than methods: methods are checked bivariantly, which
  // would let a Codec<{ a: number }> pass where a Codec<{ a: number; b: string }> is wanted.
  /** Frames for one value; throws an EncodeError when the value cannot be encoded. */
  readonly encode: (value: T) => Buffer[];
  /** The value in `frames`; throws (anything) when the frames are not a valid T. */
  readonly decode: (frames: readonly Buffer[]) => T;
}

/** The value type of a codec: `CodecValue<typeof orders>`. */
export type CodecValue<C> = C extends Codec<infer T> ? T : never;

/**
 * A received message that is not a valid value for its codec. It carries the raw frames so
 * the application can log, park or forward them; receiving goes on with the next message.
 */
export class DecodeError extends WiremqError<"EDECODE"> {
  override readonly name = "DecodeError";

  constructor(
    /** The codec that refused the frames. */
    readonly codec: string,
    /** The message as received, untouched. */
    readonly frames: readonly Buffer[],
    reason: string,
    options?: { cause?: unknown },
  ) {
    super("EDECODE", `${codec}: cannot decode ${frames.length}-frame message: ${reason}`, options);
  }
}

/** A value given to `send`/`publish`/`call` that its codec cannot encode (a caller's mistake). */
export class EncodeError extends WiremqError<"EENCODE"> {
  override readonly name = "EncodeError";

  constructor(
    readonly codec: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super("EENCODE", `${codec}: cannot encode value: ${reason}`, options);
  }
}

/**
 * Decodes with `codec`, turning any failure into a DecodeError. `message` is the whole
 * message as received, when `frames` is only its payload (after a topic or an envelope):
 * the error keeps all of it.
 */
export function decodeFrames<T>(codec: Codec<T>, frames: readonly Buffer[], message: readonly Buffer[] = frames): T {
  try {
    return codec.decode(frames);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DecodeError(codec.name, message, reason, { cause: err });
  }
}

/** Encodes with `codec`, turning any failure into an EncodeError. */
export function encodeValue<T>(codec: Codec<T>, value: T): Buffer[] {
  try {
    return codec.encode(value);
  } catch (err) {
    if (err instanceof EncodeError) throw err;
    throw new EncodeError(codec.name, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** The one frame of a single-frame codec; anything else is not a message it wrote. */
export function singleFrame(frames: readonly Buffer[]): Buffer {
  if (frames.length !== 1) throw new WiremqError("EDECODE", `expected 1 frame, got ${frames.length}`);
  return frames[0]!;
}
