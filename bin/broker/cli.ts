/**
 * `wiremq broker ...` as a function, called with the arguments after "broker" by the `wiremq`
 * command and by main.ts:
 *
 *   wiremq broker [--data DIR | --memory] [--bind EP]... [--sync always|batch[:MS]|none] ...
 *       runs a broker until SIGINT/SIGTERM; prints each bound endpoint on stdout, one a line
 *       (the first line is the first endpoint); everything else goes to stderr.
 *   wiremq broker stats [--connect EP] [--json] [--timeout MS]
 *       prints queue depth, rates and consumers of the broker.
 *   wiremq broker put QUEUE [--connect EP] [MESSAGE...]     (queue-cli.ts)
 *   wiremq broker consume QUEUE [--connect EP] [--ack] [--count N]
 *
 * Resolves with the process exit code: 0 ok, 1 failed, 2 bad arguments, 3 timed out.
 */
import { Dealer, Router } from "../../lib/index.js";
import { Broker, BrokerClient, type BrokerStats, type RecoveryIssue, type SyncOption } from "../../lib/broker/index.js";
import { parseArgs, type CommandSpec, type OptionSpec, type ParsedArgs } from "../cli/args.js";
import { endpointProblem } from "../cli/endpoint-problem.js";
import { didYouMean } from "../cli/suggest.js";
import { BROKER_USAGE, connectEndpoint, DEFAULT_ENDPOINT, integer, optionSettings, usageError, type CliIo } from "./cli-common.js";
import { runConsume, runPut, CONSUME_SPEC, PUT_SPEC } from "./queue-cli.js";

export type { CliIo } from "./cli-common.js";

const SUBCOMMANDS = ["stats", "put", "consume"];

const RUN_SPEC: CommandSpec = {
  name: "broker",
  summary: "run a broker",
  usage: "[options]",
  options: [
    { name: "data", kind: "value", description: "store directory" },
    { name: "memory", kind: "flag", description: "keep nothing on disk" },
    { name: "bind", kind: "list", description: "endpoint to listen on" },
    ...["sync", "heartbeat", "lease", "max-deliveries", "segment-bytes", "max-message-bytes", "id"].map((name): OptionSpec => ({ name, kind: "value", description: name })),
    { name: "option", short: "o", kind: "list", description: "ROUTER option" },
  ],
};

const STATS_SPEC: CommandSpec = {
  name: "broker stats",
  summary: "print statistics of a running broker",
  usage: "[options]",
  options: [
    { name: "connect", kind: "list", description: "broker endpoint" },
    { name: "json", kind: "flag", description: "print JSON" },
    { name: "timeout", kind: "value", description: "how long to wait" },
    { name: "option", short: "o", kind: "list", description: "DEALER option" },
  ],
};

export async function runBrokerCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === "stats") return await runStats(parse(STATS_SPEC, rest), io);
    if (first === "put") return await runPut(parse(PUT_SPEC, rest), io);
    if (first === "consume") return await runConsume(parse(CONSUME_SPEC, rest), io);
    if (first !== undefined && /^[a-z]+$/.test(first)) {
      throw usageError(`unknown broker command ${JSON.stringify(first)}${didYouMean(first, SUBCOMMANDS) || `; one of ${SUBCOMMANDS.join(", ")}`}`);
    }
    return await runBroker(parse(RUN_SPEC, argv), io);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EINVAL") {
      io.stderr.write(`wiremq broker: ${(err as Error).message}\n${BROKER_USAGE}`);
      return 2;
    }
    io.stderr.write(`wiremq broker: ${code === undefined ? "" : `${code}: `}${(err as Error).message}\n`);
    return code === "EAGAIN" ? 3 : 1;
  }
}

function parse(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  return parseArgs(spec, argv);
}

/** A refused endpoint, named, with what is wrong with it when that can be told. */
function endpointError(err: unknown, binds: readonly string[]): unknown {
  const e = err as { code?: string; address?: string; message?: string };
  if (e.code !== "EINVAL" && e.code !== "EPROTONOSUPPORT") return err;
  const address = e.address ?? binds.find((b) => endpointProblem(b) !== null);
  if (address === undefined) return err;
  return usageError(`bad endpoint ${JSON.stringify(address)}: ${endpointProblem(address) ?? e.message ?? "refused"}`);
}

async function runBroker(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.flags.has("help")) {
    io.stdout.write(BROKER_USAGE);
    return 0;
  }
  const value = (name: string): string | undefined => args.values.get(name);
  const data = value("data");
  const memory = args.flags.has("memory");
  if (data === undefined && !memory) throw usageError("give --data DIR or --memory");
  if (data !== undefined && memory) throw usageError("give --data DIR or --memory, not both (--memory keeps nothing on disk)");
  const sync = value("sync");
  const id = value("id");
  const binds = args.lists.get("bind") ?? [DEFAULT_ENDPOINT];
  let broker: Broker;
  try {
    broker = new Broker({
      bind: binds,
      ...(memory ? { memory: true } : { dataDir: data! }),
      // Checked by the Broker, which names the policies it takes (EINVAL).
      ...(sync !== undefined && { sync: sync as SyncOption }),
      heartbeatInterval: integer(value("heartbeat"), "--heartbeat"),
      leaseTimeout: integer(value("lease"), "--lease"),
      maxDeliveries: integer(value("max-deliveries"), "--max-deliveries"),
      segmentBytes: integer(value("segment-bytes"), "--segment-bytes"),
      maxMessageBytes: integer(value("max-message-bytes"), "--max-message-bytes"),
      ...(id !== undefined && { brokerId: id }),
      socketOptions: optionSettings(new Router(), args.lists.get("option")),
    });
    await broker.start();
  } catch (err) {
    throw endpointError(err, binds);
  }
  for (const issue of broker.recovery) {
    io.stderr.write(`${formatRecoveryIssue(issue)}\n`);
  }
  io.stdout.write(broker.endpoints.map((e) => `${e}\n`).join(""));
  const s = broker.stats();
  io.stderr.write(`broker ${s.brokerId} ready: ${s.queues.length} queue(s), store ${s.store.kind}${s.store.dataDir ? ` ${s.store.dataDir}` : ""}, sync ${s.store.sync}\n`);
  await stopRequested(io.signal);
  await broker.close();
  io.stderr.write(`broker ${s.brokerId} stopped\n`);
  return 0;
}

/** Resolves on SIGINT, SIGTERM or the abort signal, and removes what it listened with. */
function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
    if (signal?.aborted === true) done();
    else signal?.addEventListener("abort", done, { once: true });
  });
}

async function runStats(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.flags.has("help")) {
    io.stdout.write(BROKER_USAGE);
    return 0;
  }
  const endpoint = connectEndpoint(args);
  const timeoutMs = integer(args.values.get("timeout"), "--timeout") ?? 3000;
  const client = new BrokerClient({ endpoints: endpoint, sendTimeout: timeoutMs, socketOptions: optionSettings(new Dealer(), args.lists.get("option")) });
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.ready(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    if (!client.connected) {
      io.stderr.write(`no answer from ${endpoint}\n`);
      return 1;
    }
    const stats = await client.stats();
    io.stdout.write(args.flags.has("json") ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
    return 0;
  } finally {
    await client.close();
  }
}

/** One line per loss recovery found: what, where, how much, and where the bytes were kept. */
export function formatRecoveryIssue(r: RecoveryIssue): string {
  const extra = [
    r.bytes !== undefined ? `${r.bytes} bytes` : "",
    r.seqs !== undefined ? `seqs ${r.seqs.from}..${r.seqs.to} lost` : "",
    r.keptAs !== undefined ? `kept as ${r.keptAs}` : "",
  ].filter((x) => x !== "");
  return `recovery: ${r.damage} in ${r.file} at offset ${r.offset} (${r.action}${extra.length > 0 ? `; ${extra.join("; ")}` : ""})`;
}

/** A person's view of one broker's stats. */
export function formatStats(s: BrokerStats): string {
  const lines = [
    `broker ${s.brokerId}  ${s.endpoints.join(" ")}  up ${Math.round(s.uptimeMs / 1000)} s`,
    `store ${s.store.kind}${s.store.dataDir ? ` ${s.store.dataDir}` : ""}  sync ${s.store.sync}  sessions ${s.sessions}  consumers ${s.consumers}`,
  ];
  for (const r of s.recovery) lines.push(formatRecoveryIssue(r));
  const header = ["queue", "depth", "ready", "unacked", "consumers", "put/s", "deliver/s", "ack/s", "dead-lettered"];
  const rows = s.queues.map((q) => [
    q.name,
    String(q.depth),
    String(q.ready),
    String(q.unacked),
    String(q.consumers),
    q.rates.put.toFixed(1),
    q.rates.deliver.toFixed(1),
    q.rates.ack.toFixed(1),
    String(q.totals.deadLettered),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  lines.push(fmt(header), ...rows.map(fmt));
  for (const t of s.topics) lines.push(`topic ${t.topic}: ${t.subscriptions.join(", ")}`);
  return `${lines.join("\n")}\n`;
}
