import { runBrokerCli } from "../broker/cli.js";
import type { Command } from "../cli/command.js";
import type { ExitCode } from "../cli/exit-codes.js";

/** `wiremq broker` runs a broker; `wiremq broker stats` asks running ones. The broker owns its flags. */
export const brokerCommand: Command = {
  spec: {
    name: "broker",
    summary: "run the small durable broker (--data DIR --bind EP), or `broker stats --connect EP`",
    usage: "[--data DIR | --memory] [--bind EP]... [--sync always|batch[:MS]|none]   |   stats --connect EP",
    passThrough: true,
    options: [],
    details: "See lib/broker/PROTOCOL.md for the protocol and lib/broker/README.md for the store.",
  },
  run: async (_args, rest) => (await runBrokerCli([...rest])) as ExitCode,
};
