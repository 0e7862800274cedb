#!/usr/bin/env node
// The `wiremq` command: `wiremq <command> [options]`. See `wiremq --help`.
import { readFileSync } from "node:fs";
import { formatHelp, parseArgs } from "./cli/args.js";
import { classify, CliError } from "./cli/cli-error.js";
import { EXIT, type ExitCode } from "./cli/exit-codes.js";
import { COMMANDS } from "./commands/index.js";
import { didYouMean } from "./cli/suggest.js";

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 2;
  return [
    "wiremq: ZeroMQ (ZMTP 3.1) from the command line, in pure TypeScript",
    "",
    "usage: wiremq <command> [options]      wiremq <command> --help",
    "",
    "commands:",
    ...COMMANDS.filter((c) => c.available?.() !== false).map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    "",
    "exit codes: 0 done, 1 failed, 2 bad command line or input, 3 timed out, 4 handshake refused (keys, credentials, mechanism)",
  ].join("\n");
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.spec.name === rest[0]) : undefined;
    process.stdout.write(`${topic === undefined ? usage() : formatHelp(topic.spec)}\n`);
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`wiremq ${packageVersion()}\n`);
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (command === undefined) {
    const hint = didYouMean(name, COMMANDS.map((c) => c.spec.name));
    throw new CliError("EINVAL", `unknown command ${JSON.stringify(name)}${hint === "" ? "; see wiremq --help" : hint}`);
  }
  if (command.spec.passThrough === true) {
    if (rest.includes("--help") || rest.includes("-h")) process.stdout.write(`${formatHelp(command.spec)}\n\n${command.spec.name} options:\n`);
    return command.run({ flags: new Set(), values: new Map(), lists: new Map(), positionals: [...rest] }, rest);
  }
  const args = parseArgs(command.spec, rest);
  if (args.flags.has("help")) {
    process.stdout.write(`${formatHelp(command.spec)}\n`);
    return EXIT.OK;
  }
  return command.run(args, rest);
}

const argv = process.argv.slice(2);
// Output to a closed pipe (`wiremq recv ... | head -1`) ends the command quietly.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(EXIT.OK);
});
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { code, message, exitCode } = classify(err);
    const where = COMMANDS.some((c) => c.spec.name === argv[0]) ? `wiremq ${argv[0]}` : "wiremq";
    process.stderr.write(`${where}: ${code}: ${message}\n`);
    if (exitCode === EXIT.USAGE && where !== "wiremq") process.stderr.write(`see ${where} --help\n`);
    process.exitCode = exitCode;
  },
).finally(() => {
  // Everything is closed by now; a handle left open somewhere must not keep the command alive.
  setTimeout(() => process.exit(), 2000).unref();
});
