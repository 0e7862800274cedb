import { curveKeyPair } from "../../lib/index.js";
import { curvePublicKey } from "../../lib/security.js";
import type { ParsedArgs } from "../cli/args.js";
import { CliError } from "../cli/cli-error.js";
import type { Command } from "../cli/command.js";
import { EXIT } from "../cli/exit-codes.js";
import { writeLine } from "../cli/runtime.js";

export const keygenCommand: Command = {
  spec: {
    name: "keygen",
    summary: "make a CURVE key pair, printed in Z85 (40 characters each)",
    usage: "[--format text|json|env] [--secret KEY]",
    options: [
      { name: "format", short: "f", kind: "value", value: "FMT", choices: ["text", "json", "env"], default: "text", description: "text: `public KEY` and `secret KEY` lines; json; env: shell assignments" },
      { name: "secret", kind: "value", value: "KEY", description: "derive the public key of this Z85 secret key instead of making a new pair" },
    ],
    details: "Use the public key as a client's --option curveServerKey=..., the pair as a server's curvePublicKey/curveSecretKey.",
    examples: ["wiremq keygen", "eval \"$(wiremq keygen --format env)\" && echo $WIREMQ_CURVE_PUBLIC_KEY"],
  },
  run: keygen,
};

async function keygen(args: ParsedArgs): Promise<typeof EXIT.OK> {
  const secret = args.values.get("secret");
  let pair: { publicKey: string; secretKey: string };
  if (secret === undefined) {
    pair = curveKeyPair();
  } else {
    try {
      pair = { publicKey: curvePublicKey(secret), secretKey: secret };
    } catch (err) {
      throw new CliError("EINVAL", `--secret: ${(err as Error).message}`);
    }
  }
  switch (args.values.get("format") ?? "text") {
    case "json":
      writeLine(JSON.stringify(pair));
      break;
    case "env":
      // Z85 has no quote or backslash, so single quotes keep every key intact in a shell.
      writeLine(`WIREMQ_CURVE_PUBLIC_KEY='${pair.publicKey}'`);
      writeLine(`WIREMQ_CURVE_SECRET_KEY='${pair.secretKey}'`);
      break;
    default:
      writeLine(`public ${pair.publicKey}`);
      writeLine(`secret ${pair.secretKey}`);
  }
  return EXIT.OK;
}
