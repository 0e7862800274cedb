/**
 * Errors carry a `code` string as the `zeromq` package does, so callers can switch on
 * `err.code` the same way with either library. errno values match libzmq on Linux.
 */
const ERRNO: Record<string, number> = {
  EAGAIN: 11,
  EBADF: 9,
  EBUSY: 16,
  EINVAL: 22,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  ENOTSUP: 95,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  ENOENT: 2,
  ENOTSOCK: 88,
  EFSM: 156384763,
  ENOCOMPATPROTO: 156384764,
  ETERM: 156384765,
  EPROTO: 71,
  EPIPE: 32,
  ENODEV: 19,
  EFAULT: 14,
  ECONNRESET: 104,
};

export interface ZmqErrorExtra {
  address?: string;
  status?: number;
  cause?: unknown;
}

export class ZmqError extends Error {
  readonly code: string;
  readonly errno: number | undefined;
  address?: string;
  status?: number;

  constructor(code: string, message: string, extra?: ZmqErrorExtra) {
    super(message, extra?.cause === undefined ? undefined : { cause: extra.cause });
    this.name = "Error";
    this.code = code;
    this.errno = ERRNO[code];
    if (extra?.address !== undefined) this.address = extra.address;
    if (extra?.status !== undefined) this.status = extra.status;
  }
}

export function zmqError(code: string, message: string, extra?: ZmqErrorExtra): ZmqError {
  return new ZmqError(code, message, extra);
}

/** Protocol violations found in bytes from a peer; `code` names the exact violation. */
export class ProtocolError extends ZmqError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = "ProtocolError";
  }
}

export const messages = {
  EAGAIN: "Operation was not possible or timed out",
  EBUSY_SEND: "Socket is busy writing; only one send operation may be in progress at any time",
  EBUSY_RECEIVE: "Socket is busy reading; only one receive operation may be in progress at any time",
  EBADF: "Socket is closed",
  EBUSY_BLOCKED: "Socket is blocked by a bind or unbind operation",
} as const;
