/**
 * What a handshake must refuse, as libzmq refuses it: a READY naming Socket-Type twice (the
 * first not one this socket can talk to), and a greeting whose mechanism field is "NULL"
 * followed by other bytes instead of zero padding. Each raw peer is tried against a libzmq
 * (zeromq) and a wiremq PULL; both must drop it, and a good peer is still accepted.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import * as wiremq from "../../lib/index.js";
import { encodeMetadata, encodeCommand, READY } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { closedPromise, rawConnect, recordEvents, tracker, waitEvent, within } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const LIBS = [
  { name: "zeromq", Pull: zmq.Pull },
  { name: "wiremq", Pull: wiremq.Pull as unknown as typeof zmq.Pull },
];

const readyFrame = (props: Array<[string, string]>): Buffer =>
  encodeFrame(FLAG_COMMAND, encodeCommand(READY, encodeMetadata(props.map(([k, v]) => [k, Buffer.from(v)] as const))));

function junkGreeting(): Buffer {
  const g = encodeGreeting("NULL", false);
  g.write("\0JUNK", 12 + 4, "latin1");
  return g;
}

const CASES = [
  { title: "READY with Socket-Type PUB, then socket-type PUSH", bytes: Buffer.concat([encodeGreeting("NULL", false), readyFrame([["Socket-Type", "PUB"], ["socket-type", "PUSH"]])]) },
  { title: "READY with Socket-Type PUB, then Socket-Type PUSH", bytes: Buffer.concat([encodeGreeting("NULL", false), readyFrame([["Socket-Type", "PUB"], ["Socket-Type", "PUSH"]])]) },
  { title: "READY with Socket-Type PUSH, then Socket-Type PUB", bytes: Buffer.concat([encodeGreeting("NULL", false), readyFrame([["Socket-Type", "PUSH"], ["Socket-Type", "PUB"]])]) },
  { title: "the mechanism NULL\\0JUNK", bytes: Buffer.concat([junkGreeting(), readyFrame([["Socket-Type", "PUSH"]])]) },
];

describe("a handshake refused as libzmq refuses it", () => {
  for (const { title, bytes } of CASES) {
    it.each(LIBS)(`$name: ${title}`, async ({ Pull }) => {
      const pull = track(new Pull());
      await pull.bind("tcp://127.0.0.1:*");
      const log = recordEvents(pull, ["handshake", "disconnect"]);
      const dropped = waitEvent(pull, "disconnect");
      const sock = track(await rawConnect(pull.lastEndpoint!));
      sock.on("error", () => {});
      sock.resume();
      const closed = closedPromise(sock);
      sock.write(bytes);
      await within(dropped, 5000, "the peer being dropped");
      await within(closed, 5000, "the connection closing");
      log.stop();
      expect(log.events.map((e) => e.type)).not.toContain("handshake");

      const good = track(new zmq.Push({ linger: 0 }));
      const up = waitEvent(pull, "handshake");
      good.connect(pull.lastEndpoint!);
      await up;
      await good.send("ok");
      expect((await pull.receive()).map(String)).toEqual(["ok"]);
    });
  }
});
