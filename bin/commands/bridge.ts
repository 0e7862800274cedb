import { openDurableQueues, type DurableQueuesConfig } from "../../lib/broker/index.js";
import { QueueBridge } from "../../lib/devices/index.js";
import { intValue, type ParsedArgs } from "../cli/args.js";
import { CliError } from "../cli/cli-error.js";
import type { Command } from "../cli/command.js";
import { EXIT } from "../cli/exit-codes.js";
import { logLine, stopSignal, whenAborted } from "../cli/runtime.js";

const SOCKETS = ["pull", "sub", "push", "pub"] as const;

export const bridgeCommand: Command = {
  spec: {
    name: "bridge",
    summary: "move messages between a socket and a durable queue (JetStream or the broker)",
    usage: "pull|sub|push|pub --endpoint ENDPOINTS --queue NAME (--nats URLS | --broker ENDPOINT) [options]",
    positionals: true,
    options: [
      { name: "endpoint", short: "e", kind: "value", value: "ENDPOINTS", description: "where the socket binds (@addr, the default) or connects (>addr); comma-separated" },
      { name: "queue", short: "q", kind: "value", value: "NAME", description: "the durable queue" },
      { name: "nats", kind: "value", value: "URLS", description: "NATS JetStream server(s), comma-separated: nats://127.0.0.1:4222" },
      { name: "replicas", kind: "value", value: "N", default: "1", description: "JetStream: copies of the queue's stream (1-5)" },
      { name: "broker", kind: "value", value: "ENDPOINT", description: "the embedded broker's endpoint instead of NATS (one machine)" },
      { name: "window", kind: "value", value: "N", description: "pull/sub: puts unconfirmed at once (default 1); push/pub: deliveries unacknowledged (default 100)" },
      { name: "subscribe", kind: "value", value: "PREFIX", description: "sub: topic prefix (default: everything)" },
    ],
    details: [
      "pull, sub  take messages from the socket and put each into the queue; the next is taken once it is",
      "           confirmed stored (--window more at once); a failed put is retried until stored",
      "push, pub  consume the queue and send each message on the socket; acknowledged once the socket took it",
      "Runs until SIGINT/SIGTERM (exit 0).",
    ].join("\n"),
    examples: [
      "wiremq bridge pull -e 'tcp://*:5557' -q orders --nats nats://127.0.0.1:4222 --replicas 3",
      "wiremq bridge push -e 'tcp://*:5558' -q orders --nats nats://n1:4222,nats://n2:4222,nats://n3:4222",
    ],
  },
  run: bridge,
};

async function bridge(args: ParsedArgs): Promise<typeof EXIT.OK> {
  const [socket, ...extra] = args.positionals;
  if (socket === undefined || !(SOCKETS as readonly string[]).includes(socket)) throw new CliError("EINVAL", `give the socket: ${SOCKETS.join(", ")}`);
  if (extra.length > 0) throw new CliError("EINVAL", `unexpected argument ${JSON.stringify(extra[0])}`);
  const endpoints = args.values.get("endpoint");
  const queue = args.values.get("queue");
  if (endpoints === undefined || queue === undefined) throw new CliError("EINVAL", "--endpoint and --queue are required");
  const nats = args.values.get("nats");
  const broker = args.values.get("broker");
  if ((nats === undefined) === (broker === undefined)) throw new CliError("EINVAL", "give one of --nats or --broker");
  const config: DurableQueuesConfig =
    nats !== undefined
      ? { backend: "jetstream", servers: nats.split(","), replicas: intValue(args, "replicas", 1) }
      : // Several are refused (ENOTSUP, naming JetStream): the embedded broker has no cluster.
        { backend: "embedded", endpoints: broker!.split(",") };
  const queues = openDurableQueues(config);
  const stop = stopSignal();
  const device = new QueueBridge({
    queues,
    queue,
    socket: socket as (typeof SOCKETS)[number],
    endpoints,
    ...(args.values.has("window") ? { window: intValue(args, "window", 1) } : {}),
    ...(args.values.has("subscribe") ? { subscribe: [args.values.get("subscribe")!] } : {}),
  });
  try {
    await queues.ready();
    await device.start();
    for (const ep of device.bound) logLine(`bridge ${socket} bound ${ep}`);
    await Promise.race([device.done, whenAborted(stop)]);
  } finally {
    await device.close();
    await queues.close();
    const s = device.stats;
    logLine(`bridge ${socket} stopped: stored ${s.stored}, forwarded ${s.forwarded}, put retries ${s.retries}, refused (multi-frame) ${s.refused}`);
  }
  return EXIT.OK;
}
