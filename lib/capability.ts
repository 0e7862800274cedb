/** The libzmq version this implementation speaks for (ZMTP 3.1, as libzmq 4.3). */
export const version = "4.3.5";

/** Transports and features available, shaped as `zeromq`'s `capability`. */
export const capability: Readonly<Record<string, boolean>> = Object.freeze({
  ipc: true,
  pgm: false,
  tipc: false,
  norm: false,
  curve: true,
  gssapi: false,
  // The draft socket types are in wiremq/draft, as zeromq's are in zeromq/draft.
  draft: true,
});
