/**
 * 27/ZAP message shapes, as pure functions over frames. The frames here start at the version
 * frame; a sender on a DEALER-like pipe prepends the empty delimiter itself, as libzmq's session
 * does (the parse functions accept and drop one leading empty frame).
 *
 * Request: "1.0", request id, domain, address, identity, mechanism, credentials...
 * Reply:   "1.0", request id, status code, status text, user id, metadata
 */
import { ProtocolError, WiremqRangeError } from "../errors.js";
import { encodeMetadata, parseMetadata, type Properties } from "../wire/command.js";
import type { MechanismContext, MechanismStep, ZapReply, ZapRequest } from "./mechanism.js";

export const ZAP_ENDPOINT = "inproc://zeromq.zap.01";
export const ZAP_VERSION = "1.0";

const VERSION = Buffer.from(ZAP_VERSION, "ascii");
const MECHANISMS = new Set(["NULL", "PLAIN", "CURVE"]);

export type Bytes = string | Uint8Array;

function bytes(value: Bytes): Buffer {
  return typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value.buffer, value.byteOffset, value.length);
}

function stripDelimiter(frames: readonly Uint8Array[]): readonly Uint8Array[] {
  return frames.length > 0 && frames[0]!.length === 0 ? frames.slice(1) : frames;
}

function isVersion(frame: Uint8Array): boolean {
  return frame.length === 3 && frame[0] === 0x31 && frame[1] === 0x2e && frame[2] === 0x30;
}

/** The step a server mechanism returns to ask ZAP about its peer's credentials. */
export function askZapStep(ctx: MechanismContext, mechanism: ZapRequest["mechanism"], credentials: Buffer[]): MechanismStep {
  return {
    send: [],
    zap: { domain: ctx.zapDomain, address: ctx.peerAddress, routingId: ctx.routingId, mechanism, credentials },
  };
}

/** Frames of a ZAP request for `req`, tagged with `requestId` (libzmq always uses "1"). */
export function encodeZapRequest(requestId: Bytes, req: ZapRequest): Buffer[] {
  return [
    VERSION,
    bytes(requestId),
    bytes(req.domain),
    bytes(req.address),
    bytes(req.routingId),
    bytes(req.mechanism),
    ...req.credentials.map(bytes),
  ];
}

export interface ParsedZapRequest extends ZapRequest {
  requestId: Buffer;
}

/** Handler side: parses and validates a request. Throws ProtocolError (codes ZAP_*). */
export function parseZapRequest(input: readonly Uint8Array[]): ParsedZapRequest {
  const frames = stripDelimiter(input);
  if (frames.length < 6) {
    throw new ProtocolError("ZAP_MALFORMED_REQUEST", `ZAP request has ${frames.length} frames, needs at least 6`);
  }
  if (!isVersion(frames[0]!)) throw new ProtocolError("ZAP_BAD_VERSION", "ZAP request version is not 1.0");
  const mechanism = bytes(frames[5]!).toString("ascii");
  if (!MECHANISMS.has(mechanism)) {
    throw new ProtocolError("ZAP_MALFORMED_REQUEST", `ZAP request names an unknown mechanism`);
  }
  const credentials = frames.slice(6).map(bytes);
  const expected = mechanism === "PLAIN" ? 2 : mechanism === "CURVE" ? 1 : 0;
  if (credentials.length !== expected) {
    throw new ProtocolError(
      "ZAP_MALFORMED_REQUEST",
      `ZAP ${mechanism} request carries ${credentials.length} credential frames, expected ${expected}`,
    );
  }
  if (mechanism === "CURVE" && credentials[0]!.length !== 32) {
    throw new ProtocolError("ZAP_MALFORMED_REQUEST", "ZAP CURVE credential is not a 32-byte key");
  }
  return {
    requestId: bytes(frames[1]!),
    domain: bytes(frames[2]!).toString("utf8"),
    address: bytes(frames[3]!).toString("utf8"),
    routingId: bytes(frames[4]!),
    mechanism: mechanism as ZapRequest["mechanism"],
    credentials,
  };
}

export interface ZapReplyInput {
  status: number;
  statusText?: string;
  userId?: string;
  metadata?: Properties;
}

/** Handler side: frames of a reply. Status must be 200, 300, 400 or 500. */
export function encodeZapReply(requestId: Bytes, reply: ZapReplyInput): Buffer[] {
  if (![200, 300, 400, 500].includes(reply.status)) {
    throw new WiremqRangeError("EINVAL", `ZAP status must be 200, 300, 400 or 500, got ${reply.status}`);
  }
  return [
    VERSION,
    bytes(requestId),
    Buffer.from(String(reply.status), "ascii"),
    bytes(reply.statusText ?? ""),
    bytes(reply.userId ?? ""),
    encodeMetadata(reply.metadata ?? []),
  ];
}

export interface ParsedZapReply extends ZapReply {
  requestId: Buffer;
}

/**
 * Server side: parses and validates a reply as libzmq (zap_client_t) does: exactly six frames,
 * version 1.0, the request id we sent (when `expectedRequestId` is given), a status code of
 * "200", "300", "400" or "500", metadata in READY's property format. Throws ProtocolError.
 */
export function parseZapReply(input: readonly Uint8Array[], expectedRequestId?: Bytes): ParsedZapReply {
  const frames = stripDelimiter(input);
  if (frames.length !== 6) {
    throw new ProtocolError("ZAP_MALFORMED_REPLY", `ZAP reply has ${frames.length} frames, expected 6`);
  }
  if (!isVersion(frames[0]!)) throw new ProtocolError("ZAP_BAD_VERSION", "ZAP reply version is not 1.0");
  const requestId = bytes(frames[1]!);
  if (expectedRequestId !== undefined && !requestId.equals(bytes(expectedRequestId))) {
    throw new ProtocolError("ZAP_BAD_REQUEST_ID", "ZAP reply does not echo our request id");
  }
  const code = bytes(frames[2]!).toString("latin1");
  if (!/^[2-5]00$/.test(code)) {
    throw new ProtocolError("ZAP_INVALID_STATUS_CODE", "ZAP reply status is not 200, 300, 400 or 500");
  }
  let metadata: Map<string, Buffer>;
  try {
    metadata = parseMetadata(bytes(frames[5]!));
  } catch {
    throw new ProtocolError("ZAP_INVALID_METADATA", "ZAP reply metadata is malformed");
  }
  return {
    requestId,
    status: Number(code),
    statusText: bytes(frames[3]!).toString("utf8"),
    userId: bytes(frames[4]!).toString("utf8"),
    metadata,
  };
}
