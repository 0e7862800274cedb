/**
 * The class of each socket type, by its ZMTP Socket-Type, so that zeromq's base class form
 * `new Socket(type, options)` can make a socket of that type. Each class registers itself
 * where it is defined; a type whose module was not loaded (the draft types, unless
 * `wiremq/draft` was imported) is unknown, as in a libzmq built without drafts.
 */
export type SocketClass = new (options?: object) => object;

const classes = new Map<string, SocketClass>();

export function registerSocketClass(socketType: string, cls: SocketClass): void {
  classes.set(socketType, cls);
}

export function socketClassOf(socketType: string): SocketClass | undefined {
  return classes.get(socketType);
}
