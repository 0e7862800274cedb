import { WiremqError, type WiremqErrorCode } from "../../lib/public-errors.js";
import { endpointProblem } from "./endpoint-problem.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/**
 * An error the command line reports as one line, `wiremq <command>: <code>: <message>`, and
 * exits with `exitCode`. `code` is a zeromq-style code (EINVAL, EAGAIN, ...).
 */
export class CliError extends WiremqError {
  readonly exitCode: ExitCode;

  constructor(code: WiremqErrorCode, message: string, exitCode: ExitCode = EXIT.USAGE) {
    super(code, message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** Codes that mean the user asked for something malformed, rather than something that failed. */
const USAGE_CODES = new Set(["EINVAL", "EPROTONOSUPPORT", "ENOTSUP", "ENOCOMPATPROTO"]);

/** The exit code and printable code for any error thrown while running a command. */
export function classify(err: unknown): { code: string; message: string; exitCode: ExitCode } {
  if (err instanceof CliError) return { code: err.code, message: err.message, exitCode: err.exitCode };
  const e = err as { code?: unknown; message?: unknown; address?: unknown };
  const code = typeof e?.code === "string" ? e.code : "EFAILED";
  let message = typeof e?.message === "string" ? e.message : String(err);
  if (typeof e?.address === "string" && !message.includes(e.address)) {
    message = USAGE_CODES.has(code) ? `bad endpoint ${JSON.stringify(e.address)}: ${endpointProblem(e.address) ?? message}` : `${message} (${e.address})`;
  }
  if (err instanceof TypeError) return { code: "EINVAL", message, exitCode: EXIT.USAGE };
  return { code, message, exitCode: USAGE_CODES.has(code) ? EXIT.USAGE : EXIT.FAILURE };
}
