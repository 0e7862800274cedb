/**
 * The types of wiremq/v5-compat accept what a typed zeromq 5 program writes, as zeromq's
 * compat.d.ts does (checked by `npm run typecheck`), and refuse an unknown socket type name.
 */
import { expect, it } from "vitest";
import * as zmq from "../../lib/v5-compat.js";

it("a typed v5 program compiles and runs: options by number, name and property; callbacks; monitor; proxy", () => {
  const sock: zmq.Socket = zmq.socket("dealer", { identity: "typed" });
  const router = zmq.createSocket("xrep");
  try {
    sock.identity = "renamed";
    sock.setsockopt(zmq.ZMQ_LINGER, 0);
    sock.setsockopt("rate", 200);
    router.setsockopt(zmq.ZMQ_LINGER, 0);
    const hwm: string | number | boolean | null = sock.getsockopt(zmq.ZMQ_SNDHWM);
    sock.on("message", (...frames: Buffer[]) => frames.length);
    // No peer: the message waits, and close() fails it with EAGAIN to the last callback.
    const failed: Error[] = [];
    const chained: zmq.Socket = sock.send(["a", Buffer.from("b")], zmq.ZMQ_SNDMORE).send("c", null, (err?: Error) => failed.push(err!));
    const keys: { public: string; secret: string } = zmq.curveKeypair();
    const type: zmq.SocketType = router.type;
    zmq.Context.setMaxSockets(zmq.Context.getMaxSockets());
    // @ts-expect-error an unknown socket type name
    expect(() => zmq.socket("nope")).toThrow("Invalid socket type: nope");
    expect([hwm, chained === sock, keys.public.length, type, sock.getsockopt("identity")]).toEqual([1000, true, 40, "xrep", "renamed"]);
  } finally {
    sock.close();
    router.close();
  }
});
