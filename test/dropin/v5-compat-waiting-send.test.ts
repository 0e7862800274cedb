/**
 * zeromq 5's callback API over sends that must wait: a burst of requests queued at once on a
 * REQ goes out one per reply, and a mandatory ROUTER's message to an unknown peer fails with
 * "Host unreachable" after ZMQ_SNDTIMEO, to the callback or as an error event.
 */
import { describe } from "vitest";
import { describeError, same, type Lab } from "../helpers/v5-diff.js";

describe("v5-compat sends that wait, zeromq and wiremq side by side", () => {
  same("req/rep: ten requests sent at once each get their reply, in order", async ({ socket, bound }: Lab) => {
    const rep = bound("rep");
    rep.on("message", (body: unknown) => rep.send(`re:${body}`));
    const req = socket("req");
    req.connect(rep.last_endpoint);
    const replies: string[] = [];
    await new Promise<void>((resolve) => {
      req.on("message", (reply: unknown) => {
        replies.push(String(reply));
        if (replies.length === 10) resolve();
      });
      for (let i = 0; i < 10; i++) req.send(`q${i}`);
    });
    return replies;
  });

  same("router with ZMQ_ROUTER_MANDATORY: an unknown peer is Host unreachable after ZMQ_SNDTIMEO", async ({ zmq, socket }: Lab) => {
    const withHandler = socket("router");
    withHandler.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1);
    withHandler.setsockopt(zmq.ZMQ_SNDTIMEO, 10);
    const event = new Promise((resolve) => withHandler.once("error", (err: Error) => resolve(describeError(err))));
    withHandler.send(["12384982398293", ""]);
    const withCallback = socket("router");
    withCallback.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1);
    withCallback.setsockopt(zmq.ZMQ_SNDTIMEO, 10);
    const callback = new Promise((resolve) => withCallback.send(["12384982398293", ""], 0, (err?: Error) => resolve(err && describeError(err))));
    return { event: await event, callback: await callback };
  });
});
