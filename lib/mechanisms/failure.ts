import { encodeError, isCommand, parseError, ERROR } from "../wire/command.js";
import type { HandshakeFailure, MechanismStep, ZapReply } from "./mechanism.js";

/**
 * A handshake failure with a machine-readable `code` (e.g. "CURVE_DECRYPT_FAILED"), which the
 * socket passes on as the event error's code.
 */
export type CodedFailure = HandshakeFailure & { code: string };

/**
 * Bytes an engine could not take before the handshake was done: a mechanism's verdict is an
 * authentication failure; anything else broke framing, and the peer may yet be a ZMTP one.
 */
export function readFailure(e: Error): HandshakeFailure {
  const code = (e as { code?: string }).code;
  if (code === "ZMTP_MECHANISM_AUTH") return { kind: "auth", message: e.message, status: 400 };
  return { kind: "protocol", message: e.message, reconnect: true, ...(code === undefined ? {} : { code }) };
}

/** The peer's greeting names another mechanism than ours. */
export function mechanismMismatch(ours: string, theirs: string): HandshakeFailure {
  return { kind: "protocol", code: "ZMTP_MECHANISM_MISMATCH", message: `mechanism mismatch: we use ${ours}, the peer ${theirs}` };
}

export function failStep(kind: HandshakeFailure["kind"], code: string, message: string, send: Buffer[] = []): MechanismStep {
  const error: CodedFailure = { kind, code, message };
  return { send, error };
}

/**
 * The data of an ERROR command body, or null if `body` is not ERROR. Besides the correct
 * "\x05ERROR" this accepts the 9-byte form libzmq 4.3.5's PLAIN server really sends on a ZAP
 * refusal: C reads a "\x05ERROR" literal as the hex escape \x05E followed by "RROR", so the
 * wire has 5E "RROR" (no name-length byte), then the reason length and reason; libzmq's PLAIN
 * client only recognises that form. libzmq's CURVE server and client use the correct form.
 * Seen on the wire in test/mechanisms/plain-mechanism.test.ts and test/mechanisms/curve-mechanism.test.ts.
 */
export function errorCommandData(body: Buffer): Buffer | null {
  if (isCommand(body, ERROR)) return body.subarray(1 + ERROR.length);
  if (body.length >= 5 && body[0] === 0x5e && body.toString("latin1", 1, 5) === "RROR") return body.subarray(5);
  return null;
}

/**
 * What a client makes of the server's ERROR command (the data after the name). As in libzmq
 * (mechanism_base_t::handle_error_reason), a reason that is a ZAP status code 300/400/500 is an
 * authentication failure with that status; any other reason is "other".
 */
export function peerErrorStep(data: Buffer): MechanismStep {
  let reason: string;
  try {
    reason = parseError(data);
  } catch {
    return failStep("protocol", "ZMTP_MALFORMED_COMMAND_ERROR", "peer sent a malformed ERROR command");
  }
  const printable = reason.replace(/[^\x20-\x7e]/g, "?");
  if (/^[345]00$/.test(reason)) {
    const step = failStep("auth", "ZAP_DENIED", `peer refused the handshake: ${printable}`);
    step.error!.status = Number(reason);
    return step;
  }
  // libzmq (handle_error_reason) reports nothing for such a reason; the connection just ends.
  const step = failStep("protocol", "ZMTP_UNSPECIFIED", `peer sent ERROR: ${printable}`);
  step.error!.quiet = true;
  return step;
}

/**
 * A server's answer to a ZAP reply other than 200, as libzmq (zap_client_common_handshake_t)
 * does it: 300 (temporary) closes silently, 400 and 500 send ERROR with the status code first.
 */
export function zapRefusedStep(reply: ZapReply): MechanismStep {
  // An unusable reply ends the handshake without a word to the peer, as libzmq's zap_client.
  if (reply.error !== undefined) return failStep("protocol", reply.error, `ZAP handler's reply is unusable: ${reply.statusText}`);
  const status = reply.status;
  if (status !== 300 && status !== 400 && status !== 500) {
    return failStep("protocol", "ZAP_INVALID_STATUS_CODE", `ZAP handler answered with status ${status}`);
  }
  const text = reply.statusText.replace(/[^\x20-\x7e]/g, "?");
  const step = failStep(
    "auth",
    "ZAP_DENIED",
    `ZAP handler refused the peer: ${status}${text ? ` ${text}` : ""}`,
    status === 300 ? [] : [encodeError(String(status))],
  );
  step.error!.status = status;
  return step;
}
