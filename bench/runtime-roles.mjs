// One end of a runtime benchmark (bench/runtimes.ts runs it under Node, Bun or Deno). Plain
// JavaScript importing the built package, so every runtime loads the same code a user's
// program would. Roles print "ready <endpoint>" once bound and "result <json>" at the end.
//   pull <count>          PULL binds tcp; the clock runs from the end of the first tenth to the last message
//   push <endpoint> <count>
//   rep <count>           REP binds tcp and echoes `count` requests
//   req <endpoint> <count>  a tenth untimed, then `count` timed round trips
import { Pull, Push, Reply, Request } from "wiremq";

const [role, a, b] = process.argv.slice(2);
const payload = Buffer.alloc(16, 0x61);

async function main() {
  if (role === "pull") {
    const count = Number(a);
    const pull = new Pull({ receiveHighWaterMark: 10_000 });
    await pull.bind("tcp://127.0.0.1:*");
    console.log(`ready ${pull.lastEndpoint}`);
    const warm = Math.floor(count / 10);
    let started = 0;
    for (let i = 0; i < count; i++) {
      const msg = await pull.receive();
      if (msg.length !== 1 || msg[0].length !== 16) throw new Error(`message ${i} malformed`);
      if (i === warm - 1) started = performance.now();
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`result ${JSON.stringify({ msgsPerSec: (count - warm) / seconds })}`);
    pull.close();
  } else if (role === "push") {
    const count = Number(b);
    const push = new Push({ sendHighWaterMark: 10_000, linger: 5000 });
    push.connect(a);
    for (let i = 0; i < count; i++) await push.send(payload);
    push.close();
  } else if (role === "rep") {
    const count = Number(a);
    const rep = new Reply();
    await rep.bind("tcp://127.0.0.1:*");
    console.log(`ready ${rep.lastEndpoint}`);
    for (let i = 0; i < count; i++) await rep.send(await rep.receive());
    rep.close();
  } else if (role === "req") {
    const count = Number(b);
    const req = new Request();
    req.connect(a);
    const warm = Math.floor(count / 10);
    const times = new Float64Array(count - warm);
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await req.send(payload);
      await req.receive();
      if (i >= warm) times[i - warm] = (performance.now() - t0) * 1000;
    }
    times.sort();
    const at = (p) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
    console.log(`result ${JSON.stringify({ medianUs: at(50), p99Us: at(99) })}`);
    req.close();
  } else {
    throw new Error(`unknown role ${role}`);
  }
}
// No process.exit on success: a closed PUSH still sends what it queued, within its linger.
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
