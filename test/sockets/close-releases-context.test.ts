/**
 * zeromq.js's "close with explicit call should release reference to context": a DEALER with
 * linger 0 connects to a name nobody serves, sends (the message queues), closes — and after one
 * major GC its context is gone. Nothing the closed socket scheduled (an inproc outbox run, a
 * dial still in progress) may keep it reachable for another turn. Both libraries, one program.
 */
import { describe, expect, it } from "vitest";
import { ChildProgram } from "../helpers/child-program.js";
import type { LibName } from "../helpers/differential.js";
import { tmpInproc, tmpIpc } from "../helpers/endpoints.js";

const PROGRAM = `
import { createServer } from "node:net";
let address = process.argv[2];
if (address === "tcp") {
  // A port that was free a moment ago: the dial is still in progress or refused when we close.
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  address = "tcp://127.0.0.1:" + server.address().port;
  await new Promise((r) => server.close(r));
}
let weakRef;
const task = async () => {
  const context = new zmq.Context();
  const socket = new zmq.Dealer({ context, linger: 0 });
  weakRef = new WeakRef(context);
  socket.connect(address);
  await socket.send(Buffer.from("foo"));
  socket.close();
};
await task();
await globalThis.gc({ type: "major", execution: "async" });
console.log(weakRef.deref() === undefined ? "released" : "held");
`;

async function run(lib: LibName, transport: string): Promise<string> {
  const child = new ChildProgram(lib, PROGRAM, [transport], ["--expose-gc"]);
  try {
    return await child.line("", 10_000);
  } finally {
    await child.kill();
  }
}

describe("an explicitly closed socket releases its context at the next GC", () => {
  for (const [name, address] of [
    ["inproc", () => tmpInproc("ctx")],
    ["tcp", () => "tcp"],
    ["ipc", () => tmpIpc()],
  ] as const) {
    it(`${name}: as with zeromq`, async () => {
      const [theirs, ours] = await Promise.all([run("zeromq", address()), run("wiremq", address())]);
      expect(theirs).toBe("released");
      expect(ours).toBe("released");
    });
  }
});
