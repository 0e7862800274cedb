import { singleFrame, type Codec } from "./codec.js";
import { WiremqTypeError } from "../../lib/public-errors.js";

// fatal: a frame that is not UTF-8 is a DecodeError, not a string full of U+FFFD.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** One UTF-8 text frame. */
export const string: Codec<string> = Object.freeze({
  name: "string",
  encode: (value: string): Buffer[] => {
    if (typeof value !== "string") throw new WiremqTypeError("EENCODE", `expected a string, got ${typeof value}`);
    return [Buffer.from(value, "utf8")];
  },
  decode: (frames: readonly Buffer[]): string => utf8.decode(singleFrame(frames)),
});

/** Decodes UTF-8 strictly (throws on invalid bytes); shared by the text-based codecs. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
