/** What the broker's commands share: their output streams, usage text and argument checks. */
import type { Dealer, Router } from "../../lib/index.js";
import { WiremqError } from "../../lib/public-errors.js";
import { parseOptionSettings } from "../options.js";
import type { ParsedArgs } from "../cli/args.js";

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Stops a running broker (besides SIGINT and SIGTERM). */
  signal?: AbortSignal;
}

export const DEFAULT_ENDPOINT = "tcp://127.0.0.1:7600";

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
  wiremq broker stats [options]   print statistics of a running broker
    --connect EP                  the broker's endpoint (default ${DEFAULT_ENDPOINT}); one broker:
                                  the embedded broker has no cluster (several machines: JetStream)
    --json                        print JSON instead of a table
    --timeout MS                  how long to wait for the broker (default 3000)
    -o, --option NAME=VALUE       set an option of the client's DEALERs, repeatable
                                  (curveServerKey=KEY, plainUsername=NAME, ...)
  wiremq broker put QUEUE [options] [MESSAGE...]
                                  store each MESSAGE (or each line of stdin) in QUEUE
    --connect EP, --timeout MS (default 10000), -o NAME=VALUE as for stats;
    -f, --format text|hex|json    how a message is written (default text: the line is the body)
  wiremq broker consume QUEUE [options]
                                  print messages of QUEUE, one a line
    --ack                         acknowledge each once printed (without it each goes back
                                  to the queue when the command ends: a look, not a take)
    -n, --count N                 exit after N messages
    --timeout MS                  exit 3 after MS without a message (default 0: wait for ever)
    --connect EP, -o NAME=VALUE, -f/--format as for put
The protocol is described in PROTOCOL.md, the store in README.md, both in lib/broker/ of the package.
`;

/**
 * The broker `--connect` names (the default one without it). Given more than once, it is
 * refused: the hash-ring cluster that took several is retired, and the way to several machines
 * is JetStream.
 */
export function connectEndpoint(args: ParsedArgs): string {
  const given = args.lists.get("connect") ?? [DEFAULT_ENDPOINT];
  if (new Set(given).size > 1) {
    throw usageError(
      `--connect names one broker, not ${given.length}: the embedded broker has no cluster; for queues replicated over several machines use NATS JetStream (openDurableQueues({ backend: "jetstream" }), wiremq bridge --nats URL,...)`,
    );
  }
  return given[0]!;
}

/** A mistake in the command line: reported with the usage text, exit status 2. */
export function usageError(message: string): WiremqError {
  return new WiremqError("EINVAL", message);
}

/** `--option` settings read against a sample socket of the kind they are for (then closed). */
export function optionSettings(sample: Router | Dealer, settings: readonly string[] | undefined): Record<string, unknown> {
  try {
    return parseOptionSettings(sample, settings ?? []);
  } catch (err) {
    throw usageError((err as Error).message);
  } finally {
    void sample.close();
  }
}

/** A whole number given to a flag; a sign or a fraction is refused by name. */
export function integer(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw usageError(`${flag} takes a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

