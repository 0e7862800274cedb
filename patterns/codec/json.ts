import { singleFrame, type Codec } from "./codec.js";
import { decodeUtf8 } from "./string.js";
import { WiremqTypeError } from "../../lib/public-errors.js";

/** What JSON.parse can return. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Options of the `json` codec. */
export interface JsonCodecOptions<T> {
  /**
   * Checks the shape of a parsed value. Without it, any well-formed JSON is accepted as a T,
   * so give one (a hand-written guard or a schema library's) when peers are not trusted.
   */
  validate?: (value: unknown) => value is T;
  /** Names the codec in errors (default `json`). */
  name?: string;
}

/** One UTF-8 JSON frame. `json<Order>({ validate: isOrder })`. */
export function json<T = JsonValue>(options: JsonCodecOptions<T> = {}): Codec<T> {
  const { validate, name = "json" } = options;
  return Object.freeze({
    name,
    encode: (value: T): Buffer[] => {
      const text = JSON.stringify(value);
      // JSON.stringify returns undefined for undefined, functions and symbols.
      if (text === undefined) throw new WiremqTypeError("EENCODE", `${typeof value} has no JSON form`);
      return [Buffer.from(text, "utf8")];
    },
    decode: (frames: readonly Buffer[]): T => {
      const value: unknown = JSON.parse(decodeUtf8(singleFrame(frames)));
      if (validate !== undefined && !validate(value)) throw new WiremqTypeError("EDECODE", "value does not have the expected shape");
      return value as T;
    },
  });
}
