/**
 * A codec turns values of one TypeScript type into message frames and back. Every typed
 * pattern takes one, so the type of what is sent and received follows from it: a producer and
 * a consumer built from the same codec cannot disagree without the compiler saying so.
 */
import { WiremqError } from "../../lib/public-errors.js";
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
