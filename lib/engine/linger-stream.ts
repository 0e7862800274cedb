import type { Socket as NetSocket } from "node:net";

/**
 * An engine's linger: waits while `busy()` (messages queued or not yet taken by the kernel),
 * for up to `ms` (-1: no limit), woken by the socket's 'drain' or every 20 ms at most. The
 * timers are unref'd: at exit, lib/sockets/lifetime.ts decides whether lingering holds the
 * process.
 */
export async function lingerWhile(sock: NetSocket, busy: () => boolean, ms: number): Promise<void> {
  const deadline = ms < 0 ? Infinity : Date.now() + ms;
  while (busy()) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        sock.off("drain", done);
        resolve();
      };
      const t = setTimeout(done, Math.min(left, 20)).unref();
      sock.once("drain", done);
    });
  }
}
