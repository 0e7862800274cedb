import type { Context } from "../context.js";
import type { Socket } from "./socket.js";

type IfEquals<X, Y, A> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? A : never;

/** The properties of T that can be assigned: no methods, nothing read-only. */
type WritableKeys<T> = {
  [P in keyof T]-?: T[P] extends (...args: never[]) => unknown ? never : IfEquals<{ [Q in P]: T[P] }, { -readonly [Q in P]: T[P] }, P>;
}[keyof T];

type Expand<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;

/**
 * The options a socket type's constructor takes, as zeromq derives them: any of its writable
 * option properties, and the Context it belongs to (`SocketOptions<Dealer>`).
 */
export type SocketOptions<S extends Socket> = Expand<Partial<{ context: Context } & Pick<S, WritableKeys<S>>>>;
