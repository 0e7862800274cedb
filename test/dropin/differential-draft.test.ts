/**
 * The draft sockets' calls beside zeromq/draft's: the same outcome (value, or error class,
 * code and text, thrown at the call or rejected) for each wrong call and each edge case.
 */
import { describe, expect, it } from "vitest";
import * as zmqDraft from "zeromq/draft.js";
import * as wireDraft from "../../lib/draft.js";
import { expectSame, settle, type Libs, type Outcome, type Scenario } from "../helpers/differential.js";
import { radioHasJoins } from "../helpers/draft.js";

type Draft = typeof zmqDraft;
const LIBS: Libs<Draft> = { zeromq: zmqDraft, wiremq: wireDraft as unknown as Draft };
const same = <T>(scenario: Scenario<T, Draft>) => expectSame(scenario, LIBS);

/** An outcome in brief, to pin down what zeromq does: "threw EINVAL", "rejected EHOSTUNREACH", "threw TypeError", "resolved". */
function brief(outcome: Outcome): string {
  if ("resolved" in outcome) return "resolved";
  const [how, error] = "threw" in outcome ? ["threw", outcome.threw] : ["rejected", outcome.rejected];
  return `${how} ${(error.code as string | undefined) ?? error.class}`;
}
const briefs = (outcome: Outcome): string[] => ((outcome as { resolved: Outcome[] }).resolved).map(brief);

/** Calls made with arguments the types forbid, as JavaScript callers can. */
const loose = <T>(x: T): any => x; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("draft sockets beside zeromq/draft", () => {
  it("report the same type numbers, readable/writable flags and DISH linger", async () => {
    const seen = await same((zmq, run) => {
      const all = { Server: zmq.Server, Client: zmq.Client, Radio: zmq.Radio, Dish: zmq.Dish, Gather: zmq.Gather, Scatter: zmq.Scatter };
      const out: Record<string, unknown> = {};
      for (const [name, Class] of Object.entries(all)) {
        const s = run.track(new Class());
        out[name] = { type: s.type, readable: s.readable, writable: s.writable };
      }
      out.dishLinger = run.track(new zmq.Dish()).linger;
      return out;
    });
    expect(seen).toMatchObject({ resolved: { Server: { type: 12 }, Scatter: { type: 17 }, dishLinger: 0 } });
  });

  it("SERVER checks its send arguments at the call", async () => {
    const seen = await same((zmq, run) => {
      const server = run.track(new zmq.Server());
      return Promise.all([
        settle(() => loose(server).send("x")),
        settle(() => loose(server).send("x", null)),
        settle(() => loose(server).send("x", {})),
        settle(() => server.send("x", { routingId: 0 })),
        settle(() => server.send("x", { routingId: loose("abc") })),
        settle(() => server.send(loose(undefined), { routingId: 1 })),
      ]);
    });
    expect(briefs(seen)).toEqual(["threw TypeError", "threw TypeError", "threw EINVAL", "threw EINVAL", "threw TypeError", "threw TypeError"]);
  });

  it("SERVER rejects an unknown routing id (EHOSTUNREACH) and a multipart message (EINVAL); ids wrap modulo 2^32", async () => {
    const seen = await same(async (zmq, run) => {
      const server = run.track(new zmq.Server());
      const client = run.track(new zmq.Client());
      await server.bind("tcp://127.0.0.1:*");
      client.connect(server.lastEndpoint!);
      await client.send("hello");
      const [, { routingId }] = await server.receive();
      const outcomes = {
        unknown: await settle(() => server.send("x", { routingId: (routingId + 1) >>> 0 || 1 })),
        multipart: await settle(() => server.send(loose(["a", "b"]), { routingId })),
        wrapped: await settle(() => server.send("wrapped", { routingId: routingId + 2 ** 32 })),
      };
      return { ...outcomes, received: (await client.receive()).map(String) };
    });
    expect(seen).toMatchObject({ resolved: { unknown: { rejected: { code: "EHOSTUNREACH" } }, received: ["wrapped"] } });
  });

  it("CLIENT and SCATTER reject a multipart message with EINVAL when they try to send it", async () => {
    const seen = await same(async (zmq, run) => {
      const server = run.track(new zmq.Server());
      const client = run.track(new zmq.Client());
      await server.bind("tcp://127.0.0.1:*");
      client.connect(server.lastEndpoint!);
      const gather = run.track(new zmq.Gather());
      const scatter = run.track(new zmq.Scatter());
      await gather.bind("tcp://127.0.0.1:*");
      scatter.connect(gather.lastEndpoint!);
      const lonely = run.track(new zmq.Scatter({ sendTimeout: 0 }));
      const waiting = run.track(new zmq.Scatter({ sendTimeout: 30 }));
      return {
        client: await settle(() => client.send(loose(["a", "b"]))),
        clientOnePart: await settle(() => client.send(loose(["a"]))),
        scatter: await settle(() => scatter.send(loose(["a", "b"]))),
        noPeer: await settle(() => lonely.send(loose(["a", "b"]))),
        noPeerWaiting: await settle(() => waiting.send(loose(["a", "b"]))),
      };
    });
    expect(seen).toMatchObject({ resolved: { client: { rejected: { code: "EINVAL" } }, noPeer: { rejected: { code: "EINVAL" } }, noPeerWaiting: { rejected: { code: "EINVAL" } } } });
  });

  it("with no send timeout, a multipart message waits for a peer and then fails with EINVAL", async () => {
    const seen = await same(async (zmq, run) => {
      const scatter = run.track(new zmq.Scatter());
      const gather = run.track(new zmq.Gather());
      const pending = settle(() => scatter.send(loose(["a", "b"])));
      let settled = false;
      void pending.then(() => (settled = true));
      await gather.bind("tcp://127.0.0.1:*");
      const early = settled;
      scatter.connect(gather.lastEndpoint!);
      return { early, outcome: await pending };
    });
    expect(seen).toMatchObject({ resolved: { early: false, outcome: { rejected: { code: "EINVAL" } } } });
  });

  it("RADIO checks its send arguments, refuses multipart, and takes any group length", async () => {
    const seen = await same((zmq, run) => {
      const radio = run.track(new zmq.Radio());
      return Promise.all([
        settle(() => loose(radio).send("x")),
        settle(() => loose(radio).send("x", {})),
        settle(() => radio.send("x", { group: loose(5) })),
        settle(() => radio.send(loose(undefined), { group: "g" })),
        settle(() => radio.send(loose(["a", "b"]), { group: "g" })),
        settle(() => radio.send("x", { group: "g".repeat(256) })),
        settle(() => radio.send("x", { group: "" })),
        settle(() => radio.send("x", { group: Buffer.from("bytes") })),
      ]);
    });
    expect(briefs(seen)).toEqual(["threw TypeError", "threw EINVAL", "threw TypeError", "threw TypeError", "rejected EINVAL", "resolved", "resolved", "resolved"]);
  });

  it("DISH join and leave: twice, unknown, too long, not a string, cut at NUL, after close", async () => {
    const seen = await same((zmq, run) => {
      const dish = run.track(new zmq.Dish());
      const calls = [
        settle(() => dish.join()),
        settle(() => dish.join("g")),
        settle(() => dish.join("g")),
        settle(() => dish.join("a", "a")),
        settle(() => dish.leave("a")),
        settle(() => dish.leave("a")),
        settle(() => dish.join(loose(5))),
        settle(() => dish.join(Buffer.from("bytes"))),
        settle(() => dish.join("j".repeat(255))),
        settle(() => dish.join("j".repeat(256))),
        settle(() => dish.leave("j".repeat(256))),
        settle(() => dish.join("n\0x")),
        settle(() => dish.leave("n")),
        settle(() => dish.leave("n\0y")),
      ];
      dish.close();
      calls.push(settle(() => dish.join("z")), settle(() => dish.leave("g")), settle(() => dish.join()));
      return Promise.all(calls);
    });
    expect(briefs(seen)).toEqual([
      "resolved", "resolved", "threw EINVAL", "threw EINVAL", "resolved", "threw EINVAL", "threw TypeError",
      "resolved", "resolved", "threw EINVAL", "threw EINVAL", "resolved", "resolved", "threw EINVAL",
      "threw EBADF", "threw EBADF", "resolved",
    ]);
  });

  it("groups are cut as libzmq cuts them: at 255 bytes and at a NUL byte; a string group is its UTF-8", async () => {
    const seen = await same(async (zmq, run) => {
      const radio = run.track(new zmq.Radio());
      const dish = run.track(new zmq.Dish());
      dish.join("g".repeat(255), "a", Buffer.from([0xe9]));
      await radio.bind("tcp://127.0.0.1:*");
      dish.connect(radio.lastEndpoint!);
      await radioHasJoins(radio, dish);
      await radio.send("cut at 255", { group: "g".repeat(300) });
      await radio.send("cut at NUL", { group: "a\0bc" });
      await radio.send("utf-8 é", { group: "é" });
      await radio.send("byte e9", { group: Buffer.from([0xe9]) });
      const got = [];
      for (let i = 0; i < 3; i++) {
        const [msg, { group }] = await dish.receive();
        got.push([msg.toString(), group.length, group.subarray(0, 4)]);
      }
      return got;
    });
    expect(seen).toEqual({ resolved: [["cut at 255", 255, "hex:67676767"], ["cut at NUL", 1, "hex:61"], ["byte e9", 1, "hex:e9"]] });
  });
});
