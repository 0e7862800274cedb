/**
 * PUSH→PULL interop with libzmq (the `zeromq` package) over tcp and ipc, in every
 * arrangement: either library sends, either library binds.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push } from "../../lib/index.js";
import { networkTransports } from "../helpers/endpoints.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

type Lib = "wiremq" | "zeromq";
type Frames = Array<Buffer | string>;
interface Sender {
  send(msg: Frames | Buffer | string): Promise<void>;
  close(): unknown;
}
interface Receiver {
  receive(): Promise<Buffer[]>;
  close(): unknown;
}
interface Endpointed {
  bind(address: string): Promise<void>;
  connect(address: string): void;
  readonly lastEndpoint: string | null;
}

const other = (lib: Lib): Lib => (lib === "wiremq" ? "zeromq" : "wiremq");
const cases: Array<{ title: string; endpoint: () => string; sender: Lib; binder: Lib }> = [];
for (const [t, endpoint] of networkTransports) {
  for (const sender of ["wiremq", "zeromq"] as const) {
    for (const binder of ["wiremq", "zeromq"] as const) {
      cases.push({ title: `${t}: ${sender} PUSH → ${other(sender)} PULL, ${binder} binds`, endpoint, sender, binder });
    }
  }
}

async function link(endpoint: () => string, senderLib: Lib, binderLib: Lib): Promise<{ push: Sender; pull: Receiver }> {
  const push = track(senderLib === "wiremq" ? new Push() : new zmq.Push());
  // receiveTimeout only turns a lost message into a prompt failure instead of a hang.
  const pull = track(senderLib === "wiremq" ? new zmq.Pull({ receiveTimeout: 10_000 }) : new Pull({ receiveTimeout: 10_000 }));
  const [binder, connecter]: Endpointed[] = senderLib === binderLib ? [push, pull] : [pull, push];
  await binder.bind(endpoint());
  connecter.connect(binder.lastEndpoint!);
  return { push, pull };
}

/** Sends n sequence-numbered messages while the receiver reads them; returns the first gap. */
async function streamInOrder(push: Sender, pull: Receiver, n: number): Promise<{ received: number; firstBad: string | null }> {
  const sending = (async () => {
    for (let i = 0; i < n; i++) {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(i, 0);
      await push.send(b);
    }
  })();
  let firstBad: string | null = null;
  let received = 0;
  for (let i = 0; i < n; i++) {
    const msg = await pull.receive();
    received++;
    if (firstBad === null && (msg.length !== 1 || msg[0]!.length !== 4 || msg[0]!.readUInt32BE(0) !== i)) {
      firstBad = `message ${i}: got ${msg.map((f) => f.toString("hex")).join("|")}`;
    }
  }
  await sending;
  return { received, firstBad };
}

describe.each(cases)("$title", ({ endpoint, sender: senderLib, binder: binderLib }) => {
  it("delivers multi-part messages with empty frames intact and in order", async () => {
    const { push, pull } = await link(endpoint, senderLib, binderLib);
    const long = Buffer.alloc(300, 0x5a); // long-form frame header between short ones
    const sent: Frames[] = [
      [""],
      ["", "a", "", "", Buffer.alloc(0), "z", ""],
      ["head", long, ""],
      [Buffer.alloc(0), Buffer.alloc(0)],
      ["last"],
    ];
    for (const m of sent) await push.send(m);
    for (const m of sent) {
      const got = await pull.receive();
      expect(got.map((f) => Buffer.from(f).toString("hex"))).toEqual(m.map((f) => Buffer.from(f).toString("hex")));
    }
  });

  it("carries a 16 MiB message byte for byte", async () => {
    const { push, pull } = await link(endpoint, senderLib, binderLib);
    const big = randomBytes(16 * 1024 * 1024);
    await push.send(["big", big]);
    await push.send("after");
    const got = await pull.receive();
    expect(got.length).toBe(2);
    expect(got[0]!.toString()).toBe("big");
    expect(got[1]!.length).toBe(big.length);
    expect(Buffer.compare(got[1]!, big)).toBe(0);
    expect((await pull.receive()).map(String)).toEqual(["after"]);
  });

  it("delivers 100k small messages in order", async () => {
    const { push, pull } = await link(endpoint, senderLib, binderLib);
    const n = 100_000;
    const { received, firstBad } = await streamInOrder(push, pull, n);
    expect(firstBad).toBeNull();
    expect(received).toBe(n);
  });
});
