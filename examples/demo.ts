/** The main demo (`npm run demo`): each pattern end to end, printing what happens. */
import { pushPull } from "./push-pull.js";
import { pair } from "./pair.js";
import { ordersPipeline } from "./orders-pipeline.js";
import { pricesPubSub } from "./prices-pubsub.js";
import { rpcFailover } from "./rpc-failover.js";
import { loadBalancingBroker } from "./load-balancing-broker.js";

const sections: Array<[string, (log: (line: string) => void) => Promise<unknown>]> = [
  ["PUSH/PULL work queue over tcp", pushPull],
  ["PAIR over inproc", pair],
  ["Typed pipeline: protobuf orders to a pool of workers (patterns)", ordersPipeline],
  ["Typed pub/sub: prices with a content filter sent upstream (patterns)", pricesPubSub],
  ["RPC: two servers and a failing one (patterns)", rpcFailover],
  ["Load-balancing broker with heartbeating workers (patterns)", loadBalancingBroker],
];

for (const [title, run] of sections) {
  console.log(`\n== ${title}`);
  await run((line) => console.log(`  ${line}`));
}
console.log("\ndemo finished");
