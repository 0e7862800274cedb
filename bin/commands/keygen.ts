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
    usage: "[--format text|json|env] [--secret KEY]   |   --setup [--format text|json]",
    options: [
      { name: "format", short: "f", kind: "value", value: "FMT", choices: ["text", "json", "env"], default: "text", description: "text: `public KEY` and `secret KEY` lines; json; env: shell assignments" },
      { name: "secret", kind: "value", value: "KEY", description: "derive the public key of this Z85 secret key instead of making a new pair" },
      { name: "setup", kind: "flag", description: "make a server pair and a client pair and print the options each side sets (text: -o flags; json: constructor options)" },
    ],
    details: [
      "CURVE needs two key pairs, one per side:",
      "  server (binds):    curveServer=true, curvePublicKey and curveSecretKey of the server's pair",
      "  client (connects): curveServerKey = the server's PUBLIC key, and curvePublicKey and",
      "                     curveSecretKey of the client's OWN pair (run keygen again for it)",
      "A client given only curveServerKey is refused with \"CURVE needs curveSecretKey\". The server's",
      "secret key never leaves the server. --setup prints both sides' options ready to paste.",
    ].join("\n"),
    examples: [
      "wiremq keygen",
      "wiremq keygen --setup",
      "eval \"$(wiremq keygen --format env)\" && echo $WIREMQ_CURVE_PUBLIC_KEY",
    ],
  },
  run: keygen,
};

async function keygen(args: ParsedArgs): Promise<typeof EXIT.OK> {
  if (args.flags.has("setup")) return setup(args);
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

/** Both sides' options: the server's pair on the server, its public key and the client's own pair on the client. */
function setup(args: ParsedArgs): typeof EXIT.OK {
  if (args.values.has("secret")) throw new CliError("EINVAL", "--setup makes both pairs; it takes no --secret");
  const format = args.values.get("format") ?? "text";
  if (format === "env") throw new CliError("EINVAL", "--setup prints text or json, not env");
  const server = curveKeyPair();
  const client = curveKeyPair();
  const serverOptions = { curveServer: true, curvePublicKey: server.publicKey, curveSecretKey: server.secretKey };
  const clientOptions = { curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey };
  if (format === "json") {
    writeLine(JSON.stringify({ server: serverOptions, client: clientOptions }));
  } else {
    // Z85 keys hold shell characters ($, &, *, ...) but never a single quote.
    const flags = (o: Record<string, unknown>): string => Object.entries(o).map(([k, v]) => `-o '${k}=${String(v)}'`).join(" ");
    writeLine("# server (the side that binds; keep its secret key there):");
    writeLine(flags(serverOptions));
    writeLine("# client (the side that connects):");
    writeLine(flags(clientOptions));
  }
  return EXIT.OK;
}
