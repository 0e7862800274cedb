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
    ],
    targets: spec.targets,
    maxRounds: 3,
    async run(lib, params, workers) {
      // --quick: a quarter of the peers; the per-connection figure then carries more noise.
      const peers = Math.max(10, Math.round(spec.peers * params.scale * (params.quick ? 0.25 : 1)));
      const idleMs = params.quick ? Math.min(300, spec.idleMs) : spec.idleMs;
      const bind = bindEndpoint(spec.transport);
      const execArgv = ["--expose-gc"];
      try {
        const routerArgs: RouterIdleArgs = { bind, peers };
        const dealers = workers.prepare(lib, { execArgv });
        const router = workers.spawn("router-idle", lib, routerArgs, { execArgv });
        const { endpoint } = await router.wait<{ endpoint: string }>("ready");
        const peerArgs: DealerPeersArgs = { connect: endpoint, peers };
        dealers.start("dealer-peers", peerArgs);
        await Promise.all([router.wait("connected"), dealers.wait("connected")]);
        await sleep(idleMs);
        router.post("measure");
        dealers.post("measure");
        const [r, d] = await Promise.all([router.wait<IdleFigures>("measured"), dealers.wait<IdleFigures>("measured")]);
        router.post("close");
        dealers.post("close");
        await Promise.all([router.result(), dealers.result()]);
        return {
          routerKBPerConn: (r.rssAfter - r.rssBefore) / peers / 1024,
          peerKBPerConn: (d.rssAfter - d.rssBefore) / peers / 1024,
          idleCpuPct: (100 * (r.idleCpuMs ?? 0)) / Math.max(1, r.idleMs ?? 0),
          routerRssMB: r.rssAfter / 1e6,
        };
      } finally {
        releaseEndpoint(bind);
      }
    },
  };
}
