// Many idle connections: N DEALERs in one process connected to one ROUTER in another; the
// memory each connection costs on each side, and the CPU the ROUTER spends while they idle.
import type { DealerPeersArgs, IdleFigures, RouterIdleArgs } from "../roles/idle-peers.js";
import { bindEndpoint, releaseEndpoint, type Transport } from "./endpoints.js";
import { sleep, type Target, type Workload } from "./types.js";

export interface IdlePeersSpec {
  transport: Transport;
  peers: number;
  /** How long the connections sit idle before the second RSS reading. */
  idleMs: number;
  targets?: Target[];
  /**
   * Processes the DEALERs are spread over (default 1). libzmq holds two fds per DEALER, so
   * 10,000 of them do not fit one process under a 20,000 open-file limit.
   */
  dealerProcesses?: number;
  /**
   * The ROUTER's listen backlog. With libzmq's 100, thousands of connects at once overflow the
   * kernel's accept queue and the dropped ones wait out TCP's retransmission back-off.
   */
  backlog?: number;
}

export function idlePeersWorkload(spec: IdlePeersSpec): Workload {
  if (spec.transport === "inproc") throw new Error("idle peers run across two processes");
  return {
    name: `idle-peers/${spec.transport}/${spec.peers}`,
    description:
      `${spec.peers} DEALERs in one process connected over ${spec.transport} to one ROUTER in another, each having ` +
      `sent one message, then idle; RSS per connection on each side, ROUTER CPU while idle`,
    requires: ["Dealer", "Router"],
    metrics: [
      { key: "routerKBPerConn", unit: "KB/conn ROUTER side", better: "lower" },
      { key: "peerKBPerConn", unit: "KB/conn DEALER side", better: "lower" },
      { key: "idleCpuPct", unit: "% CPU ROUTER idle", better: "lower" },
      { key: "acceptSeconds", unit: "s to accept all", better: "lower" },
      // Less noisy than the time while others load the machine (issue 20: CPU per connection).
      { key: "routerCpuUsPerConn", unit: "µs CPU/conn ROUTER", better: "lower" },
      { key: "peerCpuUsPerConn", unit: "µs CPU/conn DEALER", better: "lower" },
    ],
    targets: spec.targets,
    maxRounds: 3,
    timeoutMs: spec.peers > 2000 ? 180_000 : undefined,
    async run(lib, params, workers) {
      // --quick: a quarter of the peers; the per-connection figure then carries more noise.
      const peers = Math.max(10, Math.round(spec.peers * params.scale * (params.quick ? 0.25 : 1)));
      const idleMs = params.quick ? Math.min(300, spec.idleMs) : spec.idleMs;
      const bind = bindEndpoint(spec.transport);
      const execArgv = ["--expose-gc"];
      try {
        const routerArgs: RouterIdleArgs = { bind, peers, backlog: spec.backlog };
        const processes = Math.max(1, Math.min(spec.dealerProcesses ?? 1, peers));
        const shares = Array.from({ length: processes }, (_, i) => Math.floor(peers / processes) + (i < peers % processes ? 1 : 0));
        const dealers = shares.map(() => workers.prepare(lib, { execArgv }));
        const router = workers.spawn("router-idle", lib, routerArgs, { execArgv });
        const { endpoint } = await router.wait<{ endpoint: string }>("ready");
        dealers.forEach((d, i) => d.start("dealer-peers", { connect: endpoint, peers: shares[i]! } satisfies DealerPeersArgs));
        await Promise.all([router.wait("connected"), ...dealers.map((d) => d.wait("connected"))]);
        await sleep(idleMs);
        router.post("measure");
        for (const d of dealers) d.post("measure");
        const [r, ...ds] = await Promise.all([router.wait<IdleFigures>("measured"), ...dealers.map((d) => d.wait<IdleFigures>("measured"))]);
        router.post("close");
        for (const d of dealers) d.post("close");
        await Promise.all([router.result(), ...dealers.map((d) => d.result())]);
        const dealerGrowth = ds.reduce((sum, d) => sum + (d.rssAfter - d.rssBefore), 0);
        return {
          routerKBPerConn: (r!.rssAfter - r!.rssBefore) / peers / 1024,
          peerKBPerConn: dealerGrowth / peers / 1024,
          idleCpuPct: (100 * (r!.idleCpuMs ?? 0)) / Math.max(1, r!.idleMs ?? 0),
          acceptSeconds: (r!.acceptMs ?? 0) / 1000,
          routerCpuUsPerConn: ((r!.connectCpuMs ?? 0) * 1000) / peers,
          peerCpuUsPerConn: (ds.reduce((sum, d) => sum + (d.connectCpuMs ?? 0), 0) * 1000) / peers,
          routerRssMB: r!.rssAfter / 1e6,
        };
      } finally {
        releaseEndpoint(bind);
      }
    },
  };
}
