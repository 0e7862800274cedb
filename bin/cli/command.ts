import type { CommandSpec, ParsedArgs } from "./args.js";
import type { ExitCode } from "./exit-codes.js";

/** A subcommand: its options and help, and what it does; resolves with the exit code. */
export interface Command {
  spec: CommandSpec;
  /** False where the command cannot run (bench outside a checkout): left out of the command list. */
  available?(): boolean;
  run(args: ParsedArgs, argv: readonly string[]): Promise<ExitCode>;
}
