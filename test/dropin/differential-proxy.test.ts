/**
 * zeromq's Proxy outside a run: run() with an end that has no endpoint (never bound or
 * connected, unbound, disconnected, or closed) throws EINVAL naming the end; pause(),
 * resume() and terminate() before run() or after it ended throw EBADF "Socket is closed";
 * during a run they steer it, and terminate() ends it with both sockets closed.
 * (Closing an end during a run, or a second run(), crash zeromq's addon: not compared.)
 */
import { describe, expect, it } from "vitest";
import { expectSame, settle, type Run, type Zmq } from "../helpers/differential.js";

type Ends = [InstanceType<Zmq["Router"]>, InstanceType<Zmq["Dealer"]>];

function ends(zmq: Zmq, run: Run): Ends {
  return [run.track(new zmq.Router({ linger: 0 })), run.track(new zmq.Dealer({ linger: 0 }))];
}

function name(run: Run, what: string): string {
  return `inproc://differential-proxy-${what}-${run.lib}`;
}

const UNREADY: Record<string, (zmq: Zmq, run: Run, [front, back]: Ends) => Promise<void>> = {
  "neither end bound or connected": async () => {},
  "a back-end without an endpoint": async (_zmq, run, [front]) => front.bind(name(run, "a")),
  "a front-end without an endpoint": async (_zmq, run, [, back]) => back.connect(name(run, "b")),
  "a closed front-end": async (_zmq, run, [front, back]) => {
    await front.bind(name(run, "c"));
    back.connect(name(run, "d"));
    await front.close();
  },
  "a closed back-end": async (_zmq, run, [front, back]) => {
    await front.bind(name(run, "e"));
    back.connect(name(run, "f"));
    await back.close();
  },
  "an unbound front-end": async (_zmq, run, [front, back]) => {
    await front.bind(name(run, "g"));
    await front.unbind(name(run, "g"));
    back.connect(name(run, "h"));
  },
  "a disconnected back-end": async (_zmq, run, [front, back]) => {
    await front.bind(name(run, "i"));
    back.connect(name(run, "j"));
    back.disconnect(name(run, "j"));
  },
};

describe("proxy outside a run (differential)", () => {
  for (const [situation, prepare] of Object.entries(UNREADY)) {
    it(`run() with ${situation} throws zeromq's error at the call`, async () => {
      const seen = await expectSame(async (zmq, run) => {
        const sockets = ends(zmq, run);
        await prepare(zmq, run, sockets);
        const proxy = new zmq.Proxy(...sockets);
        return settle(() => proxy.run());
      });
      expect(seen).toMatchObject({ resolved: { threw: { code: "EINVAL" } } });
    });
  }

  it("pause(), resume() and terminate() before run() throw EBADF", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const proxy = new zmq.Proxy(...ends(zmq, run));
      return {
        terminate: await settle(() => proxy.terminate()),
        pause: await settle(() => proxy.pause()),
        resume: await settle(() => proxy.resume()),
      };
    });
    expect(seen).toMatchObject({ resolved: { terminate: { threw: { code: "EBADF", message: "Socket is closed" } } } });
  });

  it("steers a run, ends it with terminate(), and then refuses as before it ran", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const [front, back] = ends(zmq, run);
      await front.bind(name(run, "k"));
      back.connect(name(run, "l"));
      const proxy = new zmq.Proxy(front, back);
      const running = settle(() => proxy.run());
      const steering = {
        pause: await settle(() => proxy.pause()),
        resume: await settle(() => proxy.resume()),
        terminate: await settle(() => proxy.terminate()),
        terminateAgainAtOnce: await settle(() => proxy.terminate()),
      };
      const ran = await running;
      return {
        steering,
        ran,
        closed: [front.closed, back.closed],
        terminateAfter: await settle(() => proxy.terminate()),
        pauseAfter: await settle(() => proxy.pause()),
        runAgain: await settle(() => proxy.run()),
      };
    });
    expect(seen).toMatchObject({ resolved: { ran: { resolved: undefined }, closed: [true, true], terminateAfter: { threw: { code: "EBADF" } } } });
  });

  it("run() and terminate() take no arguments", async () => {
    await expectSame(async (zmq, run) => {
      const [front, back] = ends(zmq, run);
      await front.bind(name(run, "m"));
      back.connect(name(run, "n"));
      const proxy = new zmq.Proxy(front, back);
      const call = (fn: (...args: unknown[]) => unknown) => settle(() => fn.call(proxy, 1));
      return { run: await call(proxy.run as never), terminate: await call(proxy.terminate as never) };
    });
  });
});
