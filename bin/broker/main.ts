#!/usr/bin/env node
/**
 * The broker as a program of its own: `node dist/bin/broker/main.js --data DIR --bind
 * tcp://127.0.0.1:0` takes the arguments of `wiremq broker` (see cli.ts) and loads only the
 * broker, not every command, so a supervisor restarts it quickly. The first line on stdout
 * is the bound endpoint, so a parent process can start it on port 0 and read where it listens.
 */
import { runBrokerCli } from "./cli.js";

void runBrokerCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
