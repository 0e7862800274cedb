/**
 * Both ends of a thread link in this thread, over a real MessageChannel or BroadcastChannel
 * (the worker tests in test/transports cover the real crossing), for the engine tests of what a
 * link carries.
 */
import { MessageChannel } from "node:worker_threads";
import { expect } from "vitest";
import { Pipe, type Msg } from "../../lib/engine/pipe.js";
import { ThreadLink } from "../../lib/engine/thread-link.js";
import { broadcastLink, OrderedLink, type PortLike } from "../../lib/transports/thread-channel.js";

export type LinkKind = "MessagePort" | "BroadcastChannel";

let pairs = 0;
const open: Pipe[] = [];

/** Ends every pipe linkPair made (afterEach). */
export function closeLinkPairs(): void {
  for (const pipe of open.splice(0)) pipe.terminate();
}

/** A pipe for one end of a link, ended by closeLinkPairs; HWM 0 (unlimited) so a test writes without waiting for room. */
export function linkPipe(): Pipe {
  const pipe = new Pipe(0, 0);
  open.push(pipe);
  return pipe;
}

/** One end of a link over `port`, started, serving `pipe`. */
export function linkEnd(port: OrderedLink, pipe: Pipe): ThreadLink {
  const link = new ThreadLink(port, pipe, { sendHwm: 0, receiveHwm: 0 });
  link.start();
  return link;
}

/** A link's two ends over either kind of channel (a BroadcastChannel where a runtime cannot hand a port to another thread). */
export function linkPair(kind: LinkKind): { from: Pipe; to: Pipe; sender: ThreadLink; receiver: ThreadLink } {
  let ends: [OrderedLink, OrderedLink];
  const n = ++pairs;
  if (kind === "MessagePort") {
    const { port1, port2 } = new MessageChannel();
    ends = [new OrderedLink(port1 as unknown as PortLike, `to-${n}`, true), new OrderedLink(port2 as unknown as PortLike, `from-${n}`, true)];
  } else {
    const name = `thread-link-pair-${process.pid}-${n}`;
    ends = [broadcastLink(name, `to-${n}`), broadcastLink(name, `from-${n}`)];
  }
  const from = linkPipe();
  const to = linkPipe();
  return { from, to, sender: linkEnd(ends[0], from), receiver: linkEnd(ends[1], to) };
}

/** The next `count` messages into `pipe` (any after them stay queued for the next call). */
export function receive(pipe: Pipe, count: number): Promise<Msg[]> {
  const got: Msg[] = [];
  return new Promise((resolve) => {
    const take = (): void => {
      while (got.length < count) {
        const msg = pipe.read();
        if (msg === undefined) break;
        got.push(msg);
      }
      if (got.length >= count) {
        pipe.owner = null;
        resolve(got);
      }
    };
    pipe.owner = { onPipeReadable: take, onPipeWritable: () => {}, onPipeTerminated: () => {} };
    take();
  });
}

/** Resolves once `pipe`'s peer has ended it (its owner is replaced). */
export function ended(pipe: Pipe): Promise<void> {
  return new Promise((resolve) => {
    if (pipe.terminated) resolve();
    else pipe.owner = { onPipeReadable: () => {}, onPipeWritable: () => {}, onPipeTerminated: () => resolve() };
  });
}

/** Writes a plain message and waits for it: everything posted before it has been taken in. */
export async function roundTrip(from: Pipe, to: Pipe): Promise<void> {
  const got = receive(to, 1);
  from.write([Buffer.from("marker")]);
  expect((await got)[0]![0]!.toString()).toBe("marker");
}
