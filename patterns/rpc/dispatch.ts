import { decodeFrames, DecodeError, encodeValue, EncodeError } from "../codec/codec.js";
import { decodeUtf8 } from "../codec/string.js";
import { codeOf } from "./errors.js";
import { errorFrame, Kind } from "./protocol.js";
import type { Handlers, ServiceSpec } from "./service.js";

/** The answer to one request: its kind and the frames after the header. */
export interface Answer {
  kind: typeof Kind.Reply | typeof Kind.Error;
  frames: Buffer[];
}

export interface DispatchHooks {
  onDecodeError?: (error: DecodeError) => void;
  /** A handler threw, or returned a reply its codec refused. */
  onHandlerError?: (error: unknown, method: string) => void;
}

/**
 * Runs one request through its handler and gives the answer to send back. Every failure
 * becomes an ERROR answer with a code, so a caller is never left waiting: an unknown
 * method, a request that does not decode, a handler that throws, a reply that cannot be
 * encoded. Shared by RpcServer and ServiceWorker.
 */
export async function dispatch<S extends ServiceSpec>(
  service: S,
  handlers: Handlers<S>,
  /** The request after its header: method name, then the request frames. */
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
    const handler = handlers[method] as (request: unknown, context: { method: string }) => unknown;
    reply = await handler(request, { method });
  } catch (err) {
    hooks.onHandlerError?.(err, method);
    return failure(codeOf(err), err instanceof Error ? err.message : String(err));
  }
  try {
    return { kind: Kind.Reply, frames: encodeValue(spec.reply, reply) };
  } catch (err) {
    hooks.onHandlerError?.(err, method);
    return failure((err as EncodeError).code, (err as Error).message);
  }
}

function failure(code: string, message: string): Answer {
  return { kind: Kind.Error, frames: [errorFrame(code, message)] };
}
