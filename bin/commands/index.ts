import type { Command } from "../cli/command.js";
import { benchCommand } from "./bench.js";
import { brokerCommand } from "./broker.js";
import { bridgeCommand } from "./bridge.js";
import { keygenCommand } from "./keygen.js";
import { monitorCommand } from "./monitor.js";
import { proxyCommand } from "./proxy.js";
import { recvCommand } from "./recv.js";
import { relayCommand } from "./relay.js";
import { sendCommand } from "./send.js";

/** Every subcommand, in the order `wiremq --help` lists them. */
export const COMMANDS: readonly Command[] = [sendCommand, recvCommand, proxyCommand, relayCommand, monitorCommand, keygenCommand, benchCommand, brokerCommand, bridgeCommand];
