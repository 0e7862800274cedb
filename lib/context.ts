/**
 * `zeromq` exposes a Context with `blocky` and thread-pool options. wiremq has no native
 * threads; the object exists so code that sets these options keeps working.
 */
export class Context {
  blocky = false;
  ioThreads = 1;
  maxSockets = 8192;
  maxMessageSize = -1;
  ipv6 = false;
}

export const context = new Context();
