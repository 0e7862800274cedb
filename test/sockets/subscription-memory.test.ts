/**
 * What one subscription costs at an XPUB: 50k distinct topics from one raw peer, the heap
 * measured (after a GC, in a child with --expose-gc) once the XPUB has handed every one of
 * them to its user, so all are in the trie. libzmq: ~176 B each; the goal is at most 250 B.
 */
import { afterEach, describe, expect, it } from "vitest";
import { encodeReady, encodeSubscribe } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { ChildProgram } from "../helpers/child-program.js";
import { closedPromise, rawConnect, tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

const TOPICS = 50_000;

const program = `
const xpub = new zmq.XPublisher();
xpub.bind("tcp://127.0.0.1:0").then(async () => {
  globalThis.gc();
  const base = process.memoryUsage().heapUsed;
  console.log("endpoint " + xpub.lastEndpoint);
  let n = 0;
  for await (const [m] of xpub) if (m[0] === 1 && ++n === ${TOPICS}) break;
  globalThis.gc();
  globalThis.gc();
  console.log("per-subscription " + (process.memoryUsage().heapUsed - base) / ${TOPICS});
});
`;

describe("subscription memory at an XPUB", () => {
  it(`50k distinct topics cost under 250 B each on the heap`, async () => {
    const child = new ChildProgram("wiremq", program, [], ["--max-old-space-size=128", "--expose-gc"]);
    try {
      const endpoint = (await child.line("endpoint ")).slice("endpoint ".length);
      const sock = track(await rawConnect(endpoint));
      sock.resume();
      const closed = closedPromise(sock);
      sock.write(Buffer.concat([encodeGreeting("NULL", false), encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from("SUB")]]))]));
      const batch: Buffer[] = [];
      for (let i = 0; i < TOPICS; i++) {
        batch.push(encodeFrame(FLAG_COMMAND, encodeSubscribe(Buffer.from(`sensor/${(i * 2654435761) >>> 0}/${i}`))));
        if (batch.length === 1000 && !sock.write(Buffer.concat(batch.splice(0)))) await Promise.race([new Promise((r) => sock.once("drain", r)), closed]);
      }
      const perSub = Number((await child.line("per-subscription ", 60_000)).split(" ")[1]);
      console.log(`subscription memory at an XPUB: ${perSub.toFixed(0)} B per subscription`);
      expect(perSub).toBeGreaterThan(0);
      expect(perSub).toBeLessThan(250);
    } finally {
      await child.kill();
    }
  });
});
