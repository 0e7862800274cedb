import { WiremqError } from "../../lib/public-errors.js";

/**
 * Codes an RPC call can fail with, besides the codes handlers throw:
 *   ETIMEDOUT   no reply before the call's deadline, after its retries
 *   ENOMETHOD   the server has no such method
 *   EDECODE     the server could not decode the request (or the client the reply)
 *   EENCODE     a value could not be encoded (client: the request; server: its reply)
 *   EHANDLER    a handler failed with an error that carries no code
 *   EOVERLOAD   a broker's queue is full
 *   EWORKERLOST the workers given a job kept dying before they answered it
 *   EAGAIN      the client has too many calls in flight
 *   EBADF       the client was closed while the call was in flight
 *   EPROTO      a peer sent something that is not this protocol
 *   ECONNRESET  the connection to the server was lost after a call of a method not marked
 *               idempotent may have reached it: it may or may not have run, so it is not re-sent
 *   ECANCELED   (a handler's signal) the caller gave up on the call
 *   ESHUTDOWN   the server is draining or closing; a call it refuses with this code did not run
 *               there, so the client sends it to another server when it has one
 *
 * Only the code and message of an RpcError thrown by a handler cross the wire as they are:
 * anything else a handler throws reaches the client as its code (or EHANDLER) and a generic
 * message, unless the server opts in with `exposeErrors`, as error text may hold secrets.
 */
// Open to any code, as handlers throw their own (`new RpcError("ENOSYMBOL", ...)`) and a call
// fails with the code its handler threw; wiremq's own are WiremqErrorCodes.
export class RpcError<C extends string = string> extends WiremqError<C> {
  override readonly name: string = "RpcError";

  constructor(code: NoInfer<C>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * An error the server sent back: thrown by the handler, or raised by the server for the call.
 * Its code is the server's: one of wiremq's, or one an application's handler chose.
 */
export class RemoteError extends RpcError<string> {
  override readonly name = "RemoteError";
  readonly remote = true;

  constructor(
    code: string,
    message: string,
    /** The method that was called. */
    readonly method: string,
  ) {
    super(code, message);
  }
}

const CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The code a thrown value is reported with: its own `code` when that looks like one. */
export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && CODE_PATTERN.test(code) ? code : "EHANDLER";
}

/** What the client is told of a handler's failure: see the note at the top. */
export function publicError(err: unknown, method: string, expose: boolean): { code: string; message: string } {
  if (err instanceof RpcError) return { code: err.code, message: err.message };
  const code = codeOf(err);
  if (expose) return { code, message: err instanceof Error ? err.message : String(err) };
  return { code, message: `${method} failed` };
}
