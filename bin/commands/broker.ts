import { runBrokerCli } from "../broker/cli.js";
import type { Command } from "../cli/command.js";
import type { ExitCode } from "../cli/exit-codes.js";

/** `wiremq broker` runs a broker; `wiremq broker stats` asks running ones. The broker owns its flags. */
export const brokerCommand: Command = {
  spec: {
    name: "broker",
    summary: "run the small durable broker (--data DIR --bind EP); stats, put and consume against one",
    usage: "[--data DIR | --memory] [--bind EP]... [--sync always|batch[:MS]|none]   |   stats|put QUEUE|consume QUEUE --connect EP",
    passThrough: true,
    options: [],
    details: "lib/broker/PROTOCOL.md (the protocol) and lib/broker/README.md (the store) ship in the package.",
  },
  run: async (_args, rest) => (await runBrokerCli([...rest])) as ExitCode,
};
