import { CliError } from "./cli-error.js";

export const FORMATS = ["text", "hex", "json"] as const;
export type Format = (typeof FORMATS)[number];

/**
 * One message per line, both ways, so `recv` output can be fed to `send`:
 *   text  frames as UTF-8, joined by the separator ("" keeps a line as one frame)
 *   hex   frames in hex, joined by the separator
 *   json  a JSON array, one element per frame: a string, or {"hex": "..."} for a frame that is
 *         not UTF-8 text; a bare JSON string is a one-frame message
 */
export interface LineFormat {
  format: Format;
  separator: string;
}

export function parseLine(line: string, { format, separator }: LineFormat): Buffer[] {
  switch (format) {
    case "text":
      return split(line, separator).map((part) => Buffer.from(part, "utf8"));
    case "hex":
      return split(line, separator).map((part) => {
        const hex = part.trim();
        if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new CliError("EINVAL", `not hex: ${JSON.stringify(part.slice(0, 40))}`);
        return Buffer.from(hex, "hex");
      });
    case "json":
      return parseJsonLine(line);
  }
}

export function formatMessage(frames: readonly Buffer[], { format, separator }: LineFormat): string {
  switch (format) {
    case "text":
      return frames.map((f) => f.toString("utf8")).join(separator);
    case "hex":
      return frames.map((f) => f.toString("hex")).join(separator);
    case "json":
      return JSON.stringify(frames.map((f) => (isText(f) ? f.toString("utf8") : { hex: f.toString("hex") })));
  }
}

function split(line: string, separator: string): string[] {
  return separator === "" ? [line] : line.split(separator);
}

function parseJsonLine(line: string): Buffer[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new CliError("EINVAL", `not JSON: ${JSON.stringify(line.slice(0, 40))}`);
  }
  const frames = typeof value === "string" ? [value] : value;
  if (!Array.isArray(frames) || frames.length === 0) throw new CliError("EINVAL", "a JSON message is a string or a non-empty array of frames");
  return frames.map((frame: unknown) => {
    if (typeof frame === "string") return Buffer.from(frame, "utf8");
    const hex = (frame as { hex?: unknown } | null)?.hex;
    if (typeof hex === "string" && /^([0-9a-fA-F]{2})*$/.test(hex)) return Buffer.from(hex, "hex");
    throw new CliError("EINVAL", 'a JSON frame is a string or {"hex": "..."}');
  });
}

/** Whether a frame reads back as the same bytes when decoded as UTF-8 and has no control characters but tab. */
function isText(frame: Buffer): boolean {
  const text = frame.toString("utf8");
  return Buffer.from(text, "utf8").equals(frame) && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text);
}
