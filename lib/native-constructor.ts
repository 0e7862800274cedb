/**
 * zeromq's Socket, Context and Proxy are native classes, and V8 words a call without `new` on
 * those differently from one on a JavaScript class ("Class constructors cannot be invoked
 * without 'new'", with no name). The entries export wiremq's three behind a JavaScript Proxy
 * whose call trap throws zeromq's text; `new`, `extends`, `instanceof` and statics reach the
 * class itself untouched.
 */
import { Context as ContextClass } from "./context.js";
import { Proxy as ProxyClass } from "./devices/proxy.js";
import { WiremqTypeError } from "./errors.js";
import { Socket as SocketClass } from "./sockets/socket.js";

function asNativeConstructor<C extends object>(cls: C): C {
  const wrapped: C = new globalThis.Proxy(cls, {
    apply(): never {
      throw new WiremqTypeError("EINVAL", "Class constructors cannot be invoked without 'new'");
    },
    // `new Socket(8)` must reach the class with itself as new.target (it then makes the socket
    // of that type number); a subclass's `super()` keeps the subclass.
    construct(target, args, newTarget): object {
      return Reflect.construct(target as Function, args, (newTarget === wrapped ? target : newTarget) as Function) as object;
    },
  });
  return wrapped;
}

/** The base class of every socket type; see the class in lib/sockets/socket.ts. */
export const Socket = asNativeConstructor(SocketClass);
export type Socket = SocketClass;

/** A context: the defaults and limits its sockets share; see the class in lib/context.ts. */
export const Context = asNativeConstructor(ContextClass);
export type Context = ContextClass;

/** A proxy device between a front-end and a back-end socket; see the class in lib/devices/proxy.ts. */
export const Proxy = asNativeConstructor(ProxyClass);
export type Proxy<F extends SocketClass = SocketClass, B extends SocketClass = SocketClass> = ProxyClass<F, B>;
