// Roles for many idle connections: one ROUTER, and a process holding N DEALERs connected to it.
// Each side takes its RSS (after full GCs) before the connections exist and once they are all
// up and idle; the difference over N is the memory one connection costs on that side.
import { createServer } from "node:net";
import { once } from "node:events";
import { closeAll, type BenchSocket, type SocketClass } from "../lib-loader.js";
import { sleep } from "../workloads/types.js";
import { checkOpenFiles, gcExposed, settledRss } from "./probes.js";
import { defineRole } from "./role.js";

export interface RouterIdleArgs {
  bind: string;
  peers: number;
  /** The ROUTER's listen backlog (libzmq's default, 100, when absent). */
  backlog?: number;
}

export interface DealerPeersArgs {
  connect: string;
  peers: number;
}

/** Posted by both sides on the parent's "measure". */
export interface IdleFigures {
  rssBefore: number;
  rssAfter: number;
  /** ROUTER only: CPU time (user + system) spent from "all connected" to "measure". */
  idleCpuMs?: number;
  idleMs?: number;
  /** ROUTER only: ms from "ready" (the DEALERs start connecting) to the last peer's hello. */
  acceptMs?: number;
  /**
   * CPU time (user + system) of the connections coming up: the ROUTER's from "ready" to the last
   * hello; a DEALER process's from its first connect to "measure" (its idle second included).
   */
  connectCpuMs?: number;
}

const HELLO = Buffer.from("hi");

export const routerIdle = defineRole<RouterIdleArgs>(async (lib, args, channel) => {
  if (!gcExposed) throw new Error("router-idle needs --expose-gc for stable RSS figures");
  checkOpenFiles(args.peers + 64, `a ROUTER with ${args.peers} connections`);
  let phase = "binding";
  let greeted = 0;
  channel.progress(() => `${phase}: ${greeted}/${args.peers} peers said hello`);
  const router = new (lib.socket("Router"))(args.backlog === undefined ? undefined : { backlog: args.backlog });
  try {
    await router.bind(args.bind);
    await sleep(20);
    const rssBefore = settledRss();
    channel.post("ready", { endpoint: router.lastEndpoint ?? args.bind });
    const readyAt = performance.now();
    const acceptCpu0 = process.cpuUsage();

    phase = "accepting";
    const ids = new Set<string>();
    while (ids.size < args.peers) {
      const msg = await router.receive();
      if (msg.length !== 2 || !msg[1]!.equals(HELLO)) throw new Error(`unexpected message of ${msg.length} frame(s)`);
      ids.add(msg[0]!.toString("hex"));
      greeted = ids.size;
    }
    const acceptMs = performance.now() - readyAt;
    const acceptCpu = process.cpuUsage(acceptCpu0);
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    channel.post("connected");

    phase = "idle";
    await channel.wait("measure");
    const cpu = process.cpuUsage(cpu0);
    const idleMs = Date.now() - t0;
    const connectCpuMs = (acceptCpu.user + acceptCpu.system) / 1000;
    const figures: IdleFigures = { rssBefore, rssAfter: settledRss(), idleCpuMs: (cpu.user + cpu.system) / 1000, idleMs, acceptMs, connectCpuMs };
    channel.post("measured", figures);

    phase = "waiting to close";
    await channel.wait("close");
    return {};
  } finally {
    phase = "close() pending";
    await closeAll(router);
  }
});

export const dealerPeers = defineRole<DealerPeersArgs>(async (lib, args, channel) => {
  if (!gcExposed) throw new Error("dealer-peers needs --expose-gc for stable RSS figures");
  // libzmq holds an fd per socket (its mailbox) besides each connection's; wiremq one per connection.
  checkOpenFiles(2 * args.peers + 64, `a process with ${args.peers} DEALERs`);
  // zeromq's context caps sockets at 1023 by default; set before the first socket starts it.
  const context = lib.context;
  if (context !== undefined && typeof context.maxSockets === "number" && context.maxSockets < args.peers + 64) {
    context.maxSockets = args.peers + 64;
  }

  let phase = "warming up";
  let connected = 0;
  channel.progress(() => `${phase}: ${connected}/${args.peers} dealers connected`);
  const dealers: BenchSocket[] = [];
  try {
    // One socket connected and closed first, so one-time set-up (libzmq's I/O threads, wiremq's
    // tcp engine module, loaded at its first connection) stays out of the window. It dials a
    // plain listener of this process, not the ROUTER, which counts every peer that says hello.
    await warmUp(lib.socket("Dealer"));
    await sleep(20);
    const rssBefore = settledRss();

    phase = "connecting";
    const cpu0 = process.cpuUsage();
    const Dealer = lib.socket("Dealer");
    for (; connected < args.peers; connected++) {
      const dealer = new Dealer();
      dealers.push(dealer);
      dealer.connect(args.connect);
      await dealer.send(HELLO);
    }
    channel.post("connected");

    phase = "idle";
    await channel.wait("measure");
    const cpu = process.cpuUsage(cpu0);
    const figures: IdleFigures = { rssBefore, rssAfter: settledRss(), connectCpuMs: (cpu.user + cpu.system) / 1000 };
    channel.post("measured", figures);

    phase = "waiting to close";
    await channel.wait("close");
    return {};
  } finally {
    phase = "close() pending";
    await closeAll(...dealers);
  }
});

/** Connects one socket to a listener of our own until its greeting arrives there, then closes both. */
async function warmUp(Dealer: SocketClass<BenchSocket>): Promise<void> {
  const server = createServer((conn) => conn.once("data", () => conn.destroy()));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const greeted = once(server, "connection").then(([conn]) => once(conn as NodeJS.ReadableStream, "data"));
  const warm = new Dealer();
  warm.connect(`tcp://127.0.0.1:${(server.address() as { port: number }).port}`);
  await greeted;
  await closeAll(warm);
  server.close();
}
