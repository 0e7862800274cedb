/**
 * PAIR↔PAIR interop with libzmq (the `zeromq` package) over tcp and ipc, with either library
 * binding; every test sends both ways.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pair } from "../../lib/index.js";
import { tmpIpc } from "../helpers/endpoints.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

type Frames = Array<Buffer | string>;
interface PairLike {
  send(msg: Frames | Buffer | string): Promise<void>;
  receive(): Promise<Buffer[]>;
  bind(address: string): Promise<void>;
  connect(address: string): void;
  readonly lastEndpoint: string | null;
  close(): unknown;
}

const cases = [
  { title: "tcp, wiremq binds", endpoint: () => "tcp://127.0.0.1:*", wiremqBinds: true },
  { title: "tcp, zeromq binds", endpoint: () => "tcp://127.0.0.1:*", wiremqBinds: false },
  { title: "ipc, wiremq binds", endpoint: () => tmpIpc(), wiremqBinds: true },
  { title: "ipc, zeromq binds", endpoint: () => tmpIpc(), wiremqBinds: false },
];

const hex = (m: ReadonlyArray<Buffer | string>): string[] => m.map((f) => Buffer.from(f).toString("hex"));

/** Sends n numbered messages from `from` while `to` reads them; returns the first problem. */
async function stream(from: PairLike, to: PairLike, n: number, tag: number): Promise<string | null> {
  const sending = (async () => {
    for (let i = 0; i < n; i++) {
      const b = Buffer.allocUnsafe(5);
      b[0] = tag;
      b.writeUInt32BE(i, 1);
      await from.send(b);
    }
  })();
  let bad: string | null = null;
  for (let i = 0; i < n; i++) {
    const m = await to.receive();
    if (bad === null && (m.length !== 1 || m[0]!.length !== 5 || m[0]![0] !== tag || m[0]!.readUInt32BE(1) !== i)) {
      bad = `message ${i} (tag ${tag}): got ${hex(m).join("|")}`;
    }
  }
  await sending;
  return bad;
}

describe.each(cases)("PAIR interop over $title", ({ endpoint, wiremqBinds }) => {
  async function link(): Promise<{ ours: PairLike; theirs: PairLike }> {
    // receiveTimeout only turns a lost message into a prompt failure instead of a hang.
    const ours = track(new Pair({ receiveTimeout: 10_000 }));
    const theirs = track(new zmq.Pair({ receiveTimeout: 10_000 }));
    const [binder, connecter]: PairLike[] = wiremqBinds ? [ours, theirs] : [theirs, ours];
    await binder.bind(endpoint());
    connecter.connect(binder.lastEndpoint!);
    return { ours, theirs };
  }

  it("carries multi-part messages with empty frames both ways", async () => {
    const { ours, theirs } = await link();
    const msgs: Frames[] = [
      [""],
      ["", "x", "", Buffer.alloc(0), ""],
      [Buffer.alloc(256, 1), "", Buffer.alloc(255, 2)],
      ["end"],
    ];
    for (const m of msgs) await ours.send(m);
    for (const m of msgs) expect(hex(await theirs.receive())).toEqual(hex(m));
    for (const m of msgs) await theirs.send(m);
    for (const m of msgs) expect(hex(await ours.receive())).toEqual(hex(m));
  });

  it("carries a 16 MiB message byte for byte each way", async () => {
    const { ours, theirs } = await link();
    const a = randomBytes(16 * 1024 * 1024);
    const b = randomBytes(16 * 1024 * 1024);
    await ours.send(a);
    await theirs.send(["", b]);
    const gotA = await theirs.receive();
    const gotB = await ours.receive();
    expect(gotA.length).toBe(1);
    expect(gotA[0]!.length).toBe(a.length);
    expect(Buffer.compare(gotA[0]!, a)).toBe(0);
    expect(gotB.length).toBe(2);
    expect(gotB[0]!.length).toBe(0);
    expect(gotB[1]!.length).toBe(b.length);
    expect(Buffer.compare(gotB[1]!, b)).toBe(0);
  });

  it("streams 100k small messages each way at once, in order", async () => {
    const { ours, theirs } = await link();
    const n = 100_000;
    const [toThem, toUs] = await Promise.all([stream(ours, theirs, n, 1), stream(theirs, ours, n, 2)]);
    expect(toThem).toBeNull();
    expect(toUs).toBeNull();
  });
});
