/**
 * `wiremq broker ...` as a function, called with the arguments after "broker" by the `wiremq`
 * command and by main.ts:
 *
 *   wiremq broker [--data DIR | --memory] [--bind EP]... [--sync always|batch[:MS]|none] ...
 *       runs a broker until SIGINT/SIGTERM; prints each bound endpoint on stdout, one a line
 *       (the first line is the first endpoint); everything else goes to stderr.
 *   wiremq broker stats [--connect EP]... [--json] [--timeout MS]
 *       prints queue depth, rates and consumers of each broker.
 *
 * Resolves with the process exit code: 0 ok, 1 failed, 2 bad arguments.
 */
import { parseArgs } from "node:util";
import { Dealer, Router } from "../../lib/index.js";
import { Broker, BrokerClient, type BrokerStats, type RecoveryIssue } from "../../lib/broker/index.js";
import { parseOptionSettings } from "../options.js";
import { WiremqError } from "../../lib/public-errors.js";

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Stops a running broker (besides SIGINT and SIGTERM). */
  signal?: AbortSignal;
}

const DEFAULT_ENDPOINT = "tcp://127.0.0.1:7600";

export const BROKER_USAGE = `usage:
  wiremq broker [options]         run a broker
    --data DIR                    store directory (or --memory: keep nothing on disk)
    --bind EP                     endpoint to listen on, repeatable (default ${DEFAULT_ENDPOINT})
    --sync always|batch[:MS]|none when a put is confirmed (default always)
    --heartbeat MS                client heartbeat period (default 1000)
    --lease MS                    delivery lease before redelivery (default 30000)
    --max-deliveries N            deliveries before dead-lettering (default 5)
    --segment-bytes N             segment file size (default 16 MiB)
    --max-message-bytes N         largest message body (default 16 MiB)
    --id NAME                     broker name in stats
    -o, --option NAME=VALUE       set an option of the broker's ROUTER by its zeromq name,
                                  repeatable (curveServer=true, curveSecretKey=KEY, ...)
  wiremq broker stats [options]   print statistics of running brokers
    --connect EP                  broker endpoint, repeatable (default ${DEFAULT_ENDPOINT})
    --json                        print JSON instead of a table
    --timeout MS                  how long to wait for the brokers (default 3000)
    -o, --option NAME=VALUE       set an option of the client's DEALERs, repeatable
                                  (curveServerKey=KEY, plainUsername=NAME, ...)
`;

export async function runBrokerCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    if (argv[0] === "stats") return await runStats(argv.slice(1), io);
    return await runBroker(argv, io);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EINVAL" || code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`${(err as Error).message}\n${BROKER_USAGE}`);
      return 2;
    }
    io.stderr.write(`wiremq broker: ${(err as Error).message}\n`);
    return 1;
  }
}

/** A mistake in the command line: reported with the usage text, exit status 2. */
function usageError(message: string): WiremqError {
  return new WiremqError("EINVAL", message);
}

/** `--option` settings read against a sample socket of the kind they are for (then closed). */
function optionSettings(sample: Router | Dealer, settings: string[] | undefined): Record<string, unknown> {
  try {
    return parseOptionSettings(sample, settings ?? []);
  } catch (err) {
    throw usageError((err as Error).message);
  } finally {
    void sample.close();
  }
}

function integer(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw usageError(`${flag} takes a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

async function runBroker(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      data: { type: "string" },
      memory: { type: "boolean" },
      bind: { type: "string", multiple: true },
      sync: { type: "string" },
      heartbeat: { type: "string" },
      lease: { type: "string" },
      "max-deliveries": { type: "string" },
      "segment-bytes": { type: "string" },
      "max-message-bytes": { type: "string" },
      id: { type: "string" },
      option: { type: "string", short: "o", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    io.stdout.write(BROKER_USAGE);
    return 0;
  }
  if (values.data === undefined && values.memory !== true) throw usageError("give --data DIR or --memory");
  const broker = new Broker({
    bind: values.bind ?? [DEFAULT_ENDPOINT],
    ...(values.memory === true ? { memory: true } : { dataDir: values.data! }),
    ...(values.sync !== undefined && { sync: values.sync }),
    heartbeatInterval: integer(values.heartbeat, "--heartbeat"),
    leaseTimeout: integer(values.lease, "--lease"),
    maxDeliveries: integer(values["max-deliveries"], "--max-deliveries"),
    segmentBytes: integer(values["segment-bytes"], "--segment-bytes"),
    maxMessageBytes: integer(values["max-message-bytes"], "--max-message-bytes"),
    ...(values.id !== undefined && { brokerId: values.id }),
    socketOptions: optionSettings(new Router(), values.option),
  });
  await broker.start();
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

async function runStats(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      connect: { type: "string", multiple: true },
      json: { type: "boolean" },
      timeout: { type: "string" },
      option: { type: "string", short: "o", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    io.stdout.write(BROKER_USAGE);
    return 0;
  }
  const endpoints = values.connect ?? [DEFAULT_ENDPOINT];
  const timeoutMs = integer(values.timeout, "--timeout") ?? 3000;
  const client = new BrokerClient({ endpoints, sendTimeout: timeoutMs, socketOptions: optionSettings(new Dealer(), values.option) });
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.ready(endpoints.length), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    const missing = endpoints.filter((e) => !client.liveBrokers.includes(e));
    for (const e of missing) io.stderr.write(`no answer from ${e}\n`);
    if (missing.length === endpoints.length) return 1;
    const stats = await client.stats();
    io.stdout.write(values.json === true ? `${JSON.stringify(stats, null, 2)}\n` : stats.map(formatStats).join("\n"));
    return missing.length > 0 ? 1 : 0;
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
