/**
 * The broker as a program: `node dist/lib/broker/main.js --data DIR --bind tcp://127.0.0.1:0`
 * (the arguments of `wiremq broker`, see cli.ts). The first line on stdout is the bound
 * endpoint, so a parent process can start it on port 0 and read where it listens.
 */
import { runBrokerCli } from "./cli.js";

process.exitCode = await runBrokerCli(process.argv.slice(2));
