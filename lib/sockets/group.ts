import { WiremqTypeError, zmqError } from "../errors.js";
import { GROUP_MAX_LENGTH } from "../wire/command.js";

/** A RADIO/DISH group as zeromq takes it: a string (its UTF-8) or the bytes themselves. */
export type GroupLike = Buffer | string;

/**
 * The bytes of a group as libzmq keeps them: it takes a C string, so a group ends at its first
 * NUL byte. Anything but a string or bytes is a TypeError, with zeromq's text.
 */
function groupBytes(value: unknown): Buffer {
  let bytes: Buffer;
  if (typeof value === "string") bytes = Buffer.from(value, "utf8");
  else if (ArrayBuffer.isView(value)) bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  else throw new WiremqTypeError("EINVAL", "Value must be a string or buffer");
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** A group to join or leave: longer than libzmq allows is EINVAL. */
export function memberGroup(value: unknown): Buffer {
  const bytes = groupBytes(value);
  if (bytes.length > GROUP_MAX_LENGTH) throw zmqError("EINVAL", "Invalid argument");
  return bytes;
}

/** A group to send to: libzmq keeps only its first 255 bytes (zmq_msg_set_group). */
export function messageGroup(value: unknown): Buffer {
  // Copied: the caller may reuse the buffer it gave while the message waits in a queue.
  return Buffer.from(groupBytes(value).subarray(0, GROUP_MAX_LENGTH));
}

/** A group as a map key. */
export function groupKey(group: Buffer): string {
  return group.toString("latin1");
}
