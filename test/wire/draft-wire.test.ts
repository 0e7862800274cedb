/**
 * The draft types on the wire, byte for byte: JOIN/LEAVE commands and RADIO's group frame,
 * checked against bytes captured from libzmq 4.3.5 (the zeromq 6.8.0 build) by a raw
 * node:net peer, and what wiremq does with malformed draft traffic from a raw peer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Client, Dish, Gather, Radio, Server } from "../../lib/draft.js";
import { Pull } from "../../lib/index.js";
import { encodeJoin, encodeLeave, JOIN, LEAVE, parseCommand } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND, FLAG_MORE } from "../../lib/wire/frame.js";
import { isCompatible } from "../../lib/engine/socket-types.js";
import { closedPromise, delay, rawConnect, rawServer, RawZmtpPeer, tracker, waitEvent } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const frame = (flags: number, body: string | Buffer): Buffer => encodeFrame(flags, Buffer.from(body));

describe("JOIN and LEAVE commands (48/RADIO-DISH)", () => {
  // Captured from a libzmq 4.3.5 DISH: join("grp"), join("x"), leave("x").
  const JOIN_GRP = "04 08 04 4A 4F 49 4E 67 72 70";
  const JOIN_X = "04 06 04 4A 4F 49 4E 78";
  const LEAVE_X = "04 07 05 4C 45 41 56 45 78";

  it("encode as libzmq sends them", () => {
    expect(encodeFrame(FLAG_COMMAND, encodeJoin(Buffer.from("grp")))).toEqual(hex(JOIN_GRP));
    expect(encodeFrame(FLAG_COMMAND, encodeJoin(Buffer.from("x")))).toEqual(hex(JOIN_X));
    expect(encodeFrame(FLAG_COMMAND, encodeLeave(Buffer.from("x")))).toEqual(hex(LEAVE_X));
  });

  it("decode to the command name and the group", () => {
    const join = parseCommand(hex(JOIN_GRP).subarray(2));
    expect([join.name, join.data.toString()]).toEqual([JOIN, "grp"]);
    const leave = parseCommand(hex(LEAVE_X).subarray(2));
    expect([leave.name, leave.data.toString()]).toEqual([LEAVE, "x"]);
  });

  it("a wiremq DISH sends READY, its joins on connect, then each leave, as libzmq's DISH does", async () => {
    let peerArrived!: (peer: RawZmtpPeer) => void;
    const arrived = new Promise<RawZmtpPeer>((resolve) => (peerArrived = resolve));
    const srv = await rawServer((sock) => peerArrived(new RawZmtpPeer(sock, "RADIO")));
    track({ close: () => srv.close() });
    const dish = track(new Dish());
    dish.join("grp", "x");
    const up = waitEvent(dish, "handshake");
    dish.connect(srv.endpoint);
    const radio = await arrived;
    await up;
    dish.leave("x");
    await radio.waitCommand(LEAVE);
    expect(radio.frames.map((f) => encodeFrame(f.flags, f.body).toString("hex"))).toEqual([
      // READY with Socket-Type DISH, as libzmq's (captured)
      "041a0552454144590b536f636b65742d5479706500000004" + Buffer.from("DISH").toString("hex"),
      hex(JOIN_GRP).toString("hex"),
      hex(JOIN_X).toString("hex"),
      hex(LEAVE_X).toString("hex"),
    ]);
  });
});

describe("RADIO's messages on the wire", () => {
  it("go as a group frame with MORE and then the body, only to peers that joined that group", async () => {
    const radio = track(new Radio());
    await radio.bind("tcp://127.0.0.1:*");
    const accepted = waitEvent(radio, "handshake");
    const dish = new RawZmtpPeer(track(await rawConnect(radio.lastEndpoint!)), "DISH");
    dish.sock.write(frame(FLAG_COMMAND, encodeJoin(Buffer.from("grp"))));
    await accepted;
    // The JOIN has no event of its own: send until a message to the group gets through.
    for (let i = 0; dish.frames.length < 3; i++) {
      radio.send("nope", { group: "grq" }).catch(() => {});
      radio.send("hello", { group: "grp" }).catch(() => {});
      await delay(10);
    }
    const data = dish.frames.slice(1);
    const wire = data.map((f) => encodeFrame(f.flags, f.body).toString("hex"));
    // Captured from a libzmq 4.3.5 RADIO: "hello" to group "grp". Nothing for "grq".
    const captured = hex("01 03 67 72 70 00 05 68 65 6C 6C 6F").toString("hex");
    expect(wire.join("")).toBe(captured.repeat(wire.length / 2));
  });

  it("stop going to a peer once it sends LEAVE", async () => {
    const radio = track(new Radio());
    await radio.bind("tcp://127.0.0.1:*");
    const accepted = waitEvent(radio, "handshake");
    const dish = new RawZmtpPeer(track(await rawConnect(radio.lastEndpoint!)), "DISH");
    dish.sock.write(frame(FLAG_COMMAND, encodeJoin(Buffer.from("a"))));
    await accepted;
    dish.sock.write(Buffer.concat([frame(FLAG_COMMAND, encodeLeave(Buffer.from("a"))), frame(FLAG_COMMAND, encodeJoin(Buffer.from("z")))]));
    // Each round routes to "a" and "z" with the same view of the groups, so the round whose
    // "z" message arrives must have left "a" out: its LEAVE came before that JOIN.
    const bodies = (): string[] => dish.frames.filter((f) => f.flags === 0).map((f) => f.body.toString());
    let round = 0;
    for (; !bodies().some((b) => b.startsWith("z")); round++) {
      radio.send(`a${round}`, { group: "a" }).catch(() => {});
      radio.send(`z${round}`, { group: "z" }).catch(() => {});
      await delay(10);
    }
    const first = bodies().find((b) => b.startsWith("z"))!;
    expect(bodies()).not.toContain(`a${first.slice(1)}`);
  });

  it("reach only DISH peers: a RADIO refuses any other Socket-Type", async () => {
    const radio = track(new Radio());
    await radio.bind("tcp://127.0.0.1:*");
    const sock = track(await rawConnect(radio.lastEndpoint!));
    new RawZmtpPeer(sock, "SUB");
    await closedPromise(sock);
    expect(["SERVER:CLIENT", "CLIENT:SERVER", "RADIO:DISH", "DISH:RADIO", "GATHER:SCATTER", "SCATTER:GATHER"].every((p) => isCompatible(p.split(":")[0]!, p.split(":")[1]!))).toBe(true);
    expect(["SERVER:DEALER", "CLIENT:ROUTER", "RADIO:SUB", "DISH:PUB", "GATHER:PUSH", "SCATTER:PULL", "SCATTER:SCATTER"].some((p) => isCompatible(p.split(":")[0]!, p.split(":")[1]!))).toBe(false);
  });
});

describe("malformed draft traffic from a peer", () => {
  it("a DISH drops a message without a group frame, with extra frames or with a group over 255 bytes", async () => {
    let radio: RawZmtpPeer | null = null;
    const srv = await rawServer((sock) => {
      radio = new RawZmtpPeer(sock, "RADIO");
    });
    track({ close: () => srv.close() });
    const dish = track(new Dish());
    dish.join("g");
    const up = waitEvent(dish, "handshake");
    dish.connect(srv.endpoint);
    await up;
    radio!.sock.write(
      Buffer.concat([
        frame(0, "no group"),
        frame(FLAG_MORE, "g"), frame(FLAG_MORE, "two"), frame(0, "bodies"),
        frame(FLAG_MORE, Buffer.alloc(256, 0x67)), frame(0, "long group"),
        frame(FLAG_MORE, "g"), frame(0, "ok"),
      ]),
    );
    const [msg, { group }] = await dish.receive();
    expect([msg.toString(), group.toString()]).toEqual(["ok", "g"]);
  });

  for (const [name, make, peerType] of [
    ["GATHER", () => new Gather(), "SCATTER"],
    ["SERVER", () => new Server(), "CLIENT"],
    ["CLIENT", () => new Client(), "SERVER"],
  ] as const) {
    it(`a ${name} drops a multipart message whole and goes on`, async () => {
      const socket = track(make());
      await socket.bind("tcp://127.0.0.1:*");
      const accepted = waitEvent(socket, "handshake");
      const peer = new RawZmtpPeer(track(await rawConnect(socket.lastEndpoint!)), peerType);
      await accepted;
      peer.sock.write(Buffer.concat([frame(FLAG_MORE, "a"), frame(0, "b"), frame(0, "single")]));
      const got = await socket.receive();
      expect(got[0].toString()).toBe("single");
    });
  }

  it("a JOIN sent to a socket that is not a RADIO is not taken as data", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const accepted = waitEvent(pull, "handshake");
    const push = new RawZmtpPeer(track(await rawConnect(pull.lastEndpoint!)), "PUSH");
    await accepted;
    push.sock.write(Buffer.concat([frame(FLAG_COMMAND, encodeJoin(Buffer.from("g"))), frame(0, "data")]));
    expect((await pull.receive()).map(String)).toEqual(["data"]);
  });
});
