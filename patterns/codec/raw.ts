import type { Codec } from "./codec.js";
import { WiremqError } from "../../lib/public-errors.js";

/**
 * Frames as they are: for messages the application lays out itself, or to pass bytes
 * through. Buffers are sent by reference, as with `socket.send`.
 */
export const raw: Codec<Buffer[]> = Object.freeze({
  name: "raw",
  encode: (frames: Buffer[]): Buffer[] => {
    if (frames.length === 0) throw new WiremqError("EENCODE", "a message needs at least one frame");
    return frames;
  },
  decode: (frames: readonly Buffer[]): Buffer[] => [...frames],
});
