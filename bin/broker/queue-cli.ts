/**
 * `wiremq broker put QUEUE` and `wiremq broker consume QUEUE`: a queue of a running broker
 * from a shell, one message a line, as `wiremq send`/`recv` do for sockets.
 */
import { Dealer } from "../../lib/index.js";
import { BrokerClient, type BrokerConsumer, type Delivery } from "../../lib/broker/index.js";
import type { CommandSpec, OptionSpec, ParsedArgs } from "../cli/args.js";
import { FORMATS, formatMessage, parseLine, type LineFormat } from "../cli/message-format.js";
import { stdinLines } from "../cli/runtime.js";
import { BROKER_USAGE, connectEndpoint, integer, optionSettings, usageError, type CliIo } from "./cli-common.js";
import { WiremqError } from "../../lib/public-errors.js";

const CLIENT_OPTIONS: readonly OptionSpec[] = [
  { name: "connect", short: "c", kind: "list", description: "broker endpoint" },
  { name: "timeout", short: "t", kind: "value", description: "how long to wait" },
  { name: "format", short: "f", kind: "value", choices: FORMATS, description: "text, hex or json" },
  { name: "option", short: "o", kind: "list", description: "DEALER option" },
];

export const PUT_SPEC: CommandSpec = { name: "broker put", summary: "put", usage: "QUEUE [MESSAGE...]", positionals: true, options: CLIENT_OPTIONS };

export const CONSUME_SPEC: CommandSpec = {
  name: "broker consume",
  summary: "consume",
  usage: "QUEUE",
  positionals: true,
  options: [...CLIENT_OPTIONS, { name: "ack", kind: "flag", description: "acknowledge" }, { name: "count", short: "n", kind: "value", description: "how many" }],
};

/** A broker message is one body: a line is not split into frames. */
function bodyOf(line: string, format: LineFormat, n: number): Buffer {
  let frames: Buffer[];
  try {
    frames = parseLine(line, format);
  } catch (err) {
    throw usageError(`message ${n}: ${(err as Error).message}`);
  }
  if (frames.length !== 1) throw usageError(`message ${n}: a broker message is one frame, not ${frames.length}`);
  return frames[0]!;
}

function clientFor(args: ParsedArgs, timeoutMs: number): BrokerClient {
  const socketOptions = optionSettings(new Dealer(), args.lists.get("option"));
  return new BrokerClient({ endpoints: connectEndpoint(args), sendTimeout: timeoutMs > 0 ? timeoutMs : -1, socketOptions });
}

function queueOf(args: ParsedArgs, command: string): { queue: string; rest: string[] } {
  const [queue, ...rest] = args.positionals;
  if (queue === undefined || queue === "") throw usageError(`give the queue: wiremq broker ${command} QUEUE`);
  return { queue, rest };
}

export async function runPut(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.flags.has("help")) return help(io);
  const { queue, rest } = queueOf(args, "put");
  const format: LineFormat = { format: (args.values.get("format") ?? "text") as LineFormat["format"], separator: "" };
  const timeoutMs = integer(args.values.get("timeout"), "--timeout") ?? 10_000;
  const client = clientFor(args, timeoutMs);
  let stored = 0;
  try {
    const lines = rest.length > 0 ? rest : stdinLines();
    for await (const line of lines) {
      const body = bodyOf(line, format, stored + 1);
      await client.put(queue, body);
      stored++;
    }
  } finally {
    await client.close();
    io.stderr.write(`stored ${stored} message(s) in ${queue}\n`);
  }
  return 0;
}

export async function runConsume(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.flags.has("help")) return help(io);
  const { queue, rest } = queueOf(args, "consume");
  if (rest.length > 0) throw usageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  const format: LineFormat = { format: (args.values.get("format") ?? "text") as LineFormat["format"], separator: "" };
  const timeoutMs = integer(args.values.get("timeout"), "--timeout") ?? 0;
  const count = integer(args.values.get("count"), "--count") ?? 0;
  const ack = args.flags.has("ack");
  const client = clientFor(args, timeoutMs);
  // Without --ack nothing is taken for good: a credit of --count keeps the rest for others.
  const consumer = client.consume(queue, count > 0 ? { credit: count } : {});
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let printed = 0;
  try {
    while (count === 0 || printed < count) {
      const d = await nextDelivery(consumer, timeoutMs, stop.signal);
      if (d === undefined) break;
      io.stdout.write(`${formatMessage([d.body], format)}\n`);
      printed++;
      if (ack) await d.ack();
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await client.close();
    io.stderr.write(`${ack ? "took" : "looked at (left in the queue)"} ${printed} message(s) of ${queue}\n`);
  }
  return 0;
}

/** The next delivery; undefined once stopped; EAGAIN after `timeoutMs` without one. */
async function nextDelivery(consumer: BrokerConsumer, timeoutMs: number, stop: AbortSignal): Promise<Delivery | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const wake = (): void => void consumer.close();
  stop.addEventListener("abort", wake, { once: true });
  if (timeoutMs > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      wake();
    }, timeoutMs);
  }
  try {
    const d = await consumer.next();
    if (d === undefined && timedOut) throw new WiremqError("EAGAIN", `timed out after ${timeoutMs} ms waiting for a message`);
    return d;
  } finally {
    clearTimeout(timer);
    stop.removeEventListener("abort", wake);
  }
}

function help(io: CliIo): number {
  io.stdout.write(BROKER_USAGE);
  return 0;
}
