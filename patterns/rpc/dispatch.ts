import { decodeFrames, DecodeError, encodeValue } from "../codec/codec.js";
import { decodeUtf8 } from "../codec/string.js";
import { publicError, RpcError } from "./errors.js";
import { errorFrame, Kind, parseCallFrame } from "./protocol.js";
import type { CallContext, Handlers, ServiceSpec } from "./service.js";

/** The answer to one request: its kind and the frames after the header. */
export interface Answer {
  kind: typeof Kind.Reply | typeof Kind.Error;
  frames: Buffer[];
}

export interface DispatchHooks {
  onDecodeError?: (error: DecodeError) => void;
  /** A handler threw, or returned a reply its codec refused. */
  onHandlerError?: (error: unknown, method: string) => void;
  /** Send a handler's own error message to the client (default false: it may hold secrets). */
  exposeErrors?: boolean;
}

/** A call as the server runs it: the CALL frame's fields, made local. */
export type CallInfo = Omit<CallContext, "method">;

/**
 * Runs one request (CALL frame, method, request frames) through its handler, with a signal
 * that fires at the caller's deadline. For callers without de-duplication or cancel messages
 * (ServiceWorker); RpcServer uses runCall with a signal of its own.
 */
export async function dispatch<S extends ServiceSpec>(
  service: S,
  handlers: Handlers<S>,
  body: readonly Buffer[],
  message: readonly Buffer[],
  hooks: DispatchHooks,
): Promise<Answer> {
  const frame = parseCallFrame(body[0]);
  if (frame === null) return failure("EPROTO", "malformed CALL frame");
  const controller = new AbortController();
  const deadline = Date.now() + frame.timeLeft;
  const timer = deadlineTimer(controller, frame.timeLeft);
  try {
    return await runCall(service, handlers, { callId: frame.callId, attempt: frame.attempt, deadline, signal: controller.signal }, body.slice(1), message, hooks);
  } finally {
    clearTimeout(timer);
  }
}

/** Aborts `controller` with ETIMEDOUT when `ms` pass; ms beyond a timer's range never fire. */
export function deadlineTimer(controller: AbortController, ms: number): NodeJS.Timeout | undefined {
  if (ms > 0x7fffffff) return undefined;
  const timer = setTimeout(() => controller.abort(new RpcError("ETIMEDOUT", "the caller's deadline passed")), ms);
  timer.unref();
  return timer;
}

/**
 * Runs one call through its handler and gives the answer to send back. Every failure becomes
 * an ERROR answer with a code, so a caller is never left waiting: an unknown method, a request
 * that does not decode, a handler that throws, a reply that cannot be encoded.
 */
export async function runCall<S extends ServiceSpec>(
  service: S,
  handlers: Handlers<S>,
  call: CallInfo,
  /** The method name, then the request frames. */
  body: readonly Buffer[],
  /** The whole message as received, kept in a DecodeError. */
  message: readonly Buffer[],
  hooks: DispatchHooks,
): Promise<Answer> {
  let method: string;
  try {
    method = decodeUtf8(body[0] ?? Buffer.alloc(0));
  } catch {
    return failure("EPROTO", "method name is not UTF-8");
  }
  if (!Object.hasOwn(service, method) || !Object.hasOwn(handlers, method)) {
    return failure("ENOMETHOD", `no method ${JSON.stringify(method)}`);
  }
  const spec = service[method]!;
  let request: unknown;
  try {
    request = decodeFrames(spec.request, body.slice(1), message);
  } catch (err) {
    hooks.onDecodeError?.(err as DecodeError);
    return failure("EDECODE", (err as Error).message);
  }
  let reply: unknown;
  try {
    const handler = handlers[method] as (request: unknown, context: CallContext) => unknown;
    reply = await handler(request, { method, ...call });
  } catch (err) {
    hooks.onHandlerError?.(err, method);
    const { code, message: text } = publicError(err, method, hooks.exposeErrors === true);
    return failure(code, text);
  }
  try {
    return { kind: Kind.Reply, frames: encodeValue(spec.reply, reply) };
  } catch (err) {
    hooks.onHandlerError?.(err, method);
    // The codec's message may quote the reply, which is the handler's data.
    return failure("EENCODE", hooks.exposeErrors === true ? (err as Error).message : `${method}: the reply could not be encoded`);
  }
}

export function failure(code: string, message: string): Answer {
  return { kind: Kind.Error, frames: [errorFrame(code, message)] };
}
