/**
 * A ZAP request to a handler bound at inproc://zeromq.zap.01 holds one pipe to that handler.
 * The pipe must go when the request ends: on the answer, when the handshake times out, and when
 * the connection closes (a silent handler once kept one pipe per handshake for good). A ROUTER
 * handler with `mandatory` set sees whether a request's pipe is still there: a reply to a
 * routing id whose pipe is gone fails with EHOSTUNREACH (at once, with sendTimeout 0: a mandatory
 * ROUTER with no peer at all would otherwise wait for one).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as wq from "../../lib/index.js";
import { tracker, waitEvent } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

/** A ROUTER bound as the ZAP handler that answers nothing and hands each request to the test. */
async function silentHandler(): Promise<{ handler: wq.Router; requests: AsyncIterator<Buffer[]> }> {
  const handler = track(new wq.Router({ mandatory: true, sendTimeout: 0 }));
  await handler.bind("inproc://zeromq.zap.01");
  return { handler, requests: handler[Symbol.asyncIterator]() };
}

async function nextRequest(requests: AsyncIterator<Buffer[]>): Promise<Buffer[]> {
  const r = await requests.next();
  if (r.done === true) throw new Error("handler closed");
  return r.value;
}

/** Answers a request: [routing id, delimiter, version, request id, status, text, user id, metadata]. */
function answer(handler: wq.Router, request: Buffer[], status: string): Promise<void> {
  const [id, delimiter, version, requestId] = request;
  return handler.send([id!, delimiter!, version!, requestId!, status, "", "", ""]);
}

function plainClient(): wq.Push {
  return track(new wq.Push({ plainUsername: "u", plainPassword: "p", reconnectInterval: 60_000 }));
}

describe("a ZAP request releases its pipe to the handler", () => {
  it("when the handshake times out while the handler is silent", async () => {
    const { handler, requests } = await silentHandler();
    const server = track(new wq.Pull({ plainServer: true, handshakeInterval: 100 }));
    await server.bind("tcp://127.0.0.1:*");
    const timedOut = waitEvent(server, "disconnect");
    plainClient().connect(server.lastEndpoint!);
    const request = await nextRequest(requests);
    await timedOut;
    await expect(answer(handler, request, "200")).rejects.toMatchObject({ code: "EHOSTUNREACH" });
  });

  it("when the connection closes while the handler is silent", async () => {
    const { handler, requests } = await silentHandler();
    const server = track(new wq.Pull({ plainServer: true, handshakeInterval: 0 }));
    await server.bind("tcp://127.0.0.1:*");
    const client = plainClient();
    const gone = waitEvent(server, "disconnect");
    client.connect(server.lastEndpoint!);
    const request = await nextRequest(requests);
    await client.close();
    await gone;
    await expect(answer(handler, request, "200")).rejects.toMatchObject({ code: "EHOSTUNREACH" });
  });

  it("once answered, and the answer still decides the handshake", async () => {
    const { handler, requests } = await silentHandler();
    const server = track(new wq.Pull({ plainServer: true }));
    await server.bind("tcp://127.0.0.1:*");
    const refused = waitEvent(server, "handshake:error:auth");
    plainClient().connect(server.lastEndpoint!);
    const request = await nextRequest(requests);
    await answer(handler, request, "400");
    expect((await refused).error).toMatchObject({ status: 400 });
    await expect(answer(handler, request, "400")).rejects.toMatchObject({ code: "EHOSTUNREACH" });
  });

  it("200 handshakes against a silent handler leave no pipe behind", async () => {
    const { handler, requests } = await silentHandler();
    const server = track(new wq.Pull({ plainServer: true, handshakeInterval: 0 }));
    await server.bind("tcp://127.0.0.1:*");
    const count = 200;
    const allGone = waitEvent(server, "disconnect", count, 30_000);
    const taken: Buffer[][] = [];
    for (let i = 0; i < count; i++) {
      const client = plainClient();
      client.connect(server.lastEndpoint!);
      taken.push(await nextRequest(requests));
      await client.close();
    }
    await allGone;
    const replies = await Promise.allSettled(taken.map((r) => answer(handler, r, "200")));
    expect(replies.filter((r) => r.status === "fulfilled")).toHaveLength(0);
  });
});
