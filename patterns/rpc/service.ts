import type { Codec, CodecValue } from "../codec/codec.js";
import { invalidArgument } from "../../lib/public-errors.js";

/** One method: the codecs of its request and its reply. */
export interface MethodSpec<Req, Res> {
  readonly request: Codec<Req>;
  readonly reply: Codec<Res>;
  /**
   * Whether running the method twice for one call does no harm (default false). Only these are
   * re-sent after a timeout or a lost connection; other calls are re-sent only when they
   * provably never reached a server.
   */
  readonly idempotent?: boolean;
}

/** A service: its methods by name. Server, workers and clients are all built from one. */
// `any` only widens the constraint; each method's real types are kept by inference.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ServiceSpec = Record<string, MethodSpec<any, any>>;

/** The method names of a service `S`. */
export type MethodName<S extends ServiceSpec> = keyof S & string;
/** The request type of method `M` of service `S` (what its request codec carries). */
export type RequestOf<S extends ServiceSpec, M extends MethodName<S>> = CodecValue<S[M]["request"]>;
/** The reply type of method `M` of service `S` (what its reply codec carries). */
export type ReplyOf<S extends ServiceSpec, M extends MethodName<S>> = CodecValue<S[M]["reply"]>;

/** What a handler knows about the call it serves. */
export interface CallContext {
  readonly method: string;
  /** The same on every attempt of one call, unique per client instance. */
  readonly callId: string;
  /** 1 for the first send of the call, more for retries (of idempotent methods, or unsent ones). */
  readonly attempt: number;
  /** When the caller gives up, as a Date.now() time on this host. */
  readonly deadline: number;
  /** Fires when the caller cancels, the deadline passes, or the server stops without draining. */
  readonly signal: AbortSignal;
}

/** One handler per method: takes the decoded request, returns (or resolves to) the reply. */
export type Handlers<S extends ServiceSpec> = {
  [M in MethodName<S>]: (request: RequestOf<S, M>, context: CallContext) => ReplyOf<S, M> | Promise<ReplyOf<S, M>>;
};

/** Declares a service, keeping each method's types: `defineService({ add: { request: ..., reply: ... } })`. */
export function defineService<S extends ServiceSpec>(spec: S): S {
  for (const [name, method] of Object.entries(spec)) {
    if (typeof method?.request?.decode !== "function" || typeof method.reply?.encode !== "function") {
      throw invalidArgument(`method ${name}`, "needs request and reply codecs");
    }
    if (method.idempotent !== undefined && typeof method.idempotent !== "boolean") {
      throw invalidArgument(`method ${name}: idempotent`, "must be a boolean");
    }
  }
  return Object.freeze(spec);
}
