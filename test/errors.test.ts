/**
 * One error family (lib/errors.ts): every error wiremq's library, patterns, broker and command
 * line raise is a WiremqError (or a WiremqTypeError / WiremqRangeError, which pass the same
 * `instanceof WiremqError`) with a `code` from WiremqErrorCode. Checked two ways: the sources
 * construct no error outside the family, and a call at a site of each layer gives a coded one.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as zmq from "../lib/index.js";
import * as v5 from "../lib/v5-compat.js";
import { isErrorCode } from "../lib/error-codes.js";
import {
  AbortError,
  invalidArgument,
  isWiremqError,
  outOfRange,
  ProtocolError,
  WiremqError,
  WiremqRangeError,
  WiremqTypeError,
  ZmqError,
} from "../lib/public-errors.js";
import { encodeGreeting } from "../lib/wire/greeting.js";
import { FrameDecoder } from "../lib/wire/frame.js";
import { parseZapReply } from "../lib/mechanisms/zap.js";
import { decodeClientCommand, ProtocolViolation } from "../lib/broker/protocol.js";
import { parseSyncPolicy } from "../lib/broker/server/store/sync-policy.js";
import { handshakeEventError } from "../lib/sockets/event-errors.js";
import { compileWhere, DecodeError, EncodeError, FilterError, json, raw, RemoteError, RpcError, string, TopicPublisher } from "../patterns/index.js";
import { decodeFrames } from "../patterns/codec/codec.js";
import { closedError, abortReason } from "../patterns/internal/closed.js";
import { CliError, classify } from "../bin/cli/cli-error.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
  );
}

const BUILTIN = "(?:Error|TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError|AggregateError|DOMException)";
const RULES: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  { what: "constructs a built-in error", pattern: new RegExp(`\\bnew\\s+${BUILTIN}\\s*\\(`, "g") },
  { what: "calls a built-in error without new", pattern: new RegExp(`(?<![\\w.$])(?<!new\\s+)${BUILTIN}\\s*\\(\\s*["'\`]`, "g") },
  { what: "declares an error class outside the family", pattern: new RegExp(`\\bclass\\s+\\w+(?:<[^>]*>)?\\s+extends\\s+${BUILTIN}\\b`, "g") },
  { what: "throws a non-error", pattern: /\bthrow\s+(?:["'`\d]|null\b|undefined\b|\{)/g },
];

/** Each place in `text` that breaks a rule, as "line: what: source". */
export function errorsOutsideTheFamily(text: string): string[] {
  const found: string[] = [];
  for (const { what, pattern } of RULES) {
    for (const m of text.matchAll(pattern)) {
      const line = text.slice(0, m.index).split("\n").length;
      found.push(`${line}: ${what}: ${text.split("\n")[line - 1]!.trim()}`);
    }
  }
  return found;
}

describe("the sources raise errors of the family only", () => {
  const files = ["lib", "patterns", "bin"].flatMap((d) => sourceFiles(join(root, d)));

  it("finds the sources", () => {
    expect(files.length).toBeGreaterThan(200);
  });

  it("the scan finds each kind of error outside the family", () => {
    const planted = [
      'throw new Error("x");',
      "reject(Object.assign(new TypeError(`y`), { code: 'EINVAL' }));",
      'throw RangeError("z");',
      "export class Mine extends Error {}",
      'throw "bare";',
    ].join("\n");
    expect(errorsOutsideTheFamily(planted).map((f) => f.split(":")[0])).toEqual(["1", "2", "3", "4", "5"]);
    expect(errorsOutsideTheFamily('throw new WiremqTypeError("EINVAL", "Options must be an object");\nclass X extends WiremqError {}')).toEqual([]);
  });

  it.each(files.map((f) => [relative(root, f), f]))("%s", (name, file) => {
    let found = errorsOutsideTheFamily(readFileSync(file, "utf8"));
    // The family's three roots are where it meets the built-in classes.
    if (name === "lib/errors.ts") found = found.filter((f) => !/export class Wiremq(?:Range|Type)?Error<C extends string = WiremqErrorCode> extends (?:Range|Type)?Error /.test(f));
    expect(found).toEqual([]);
  });
});

/** What a call threw or rejected with. */
async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("the call did not fail");
}

type Builtin = "Error" | "TypeError" | "RangeError";

function expectCoded(err: unknown, code: string, builtin: Builtin = "Error"): void {
  expect(isWiremqError(err), String(err)).toBe(true);
  expect(err).toBeInstanceOf(WiremqError);
  expect(err).toBeInstanceOf(ZmqError);
  expect((err as { code: unknown }).code).toBe(code);
  expect(isErrorCode(code)).toBe(true);
  expect(err instanceof TypeError).toBe(builtin === "TypeError");
  expect(err instanceof RangeError).toBe(builtin === "RangeError");
}

describe("a site of each layer raises a coded error", () => {
  it("sockets: zeromq's TypeErrors stay TypeErrors, with EINVAL", async () => {
    const push = new zmq.Push({ linger: 0 });
    try {
      expectCoded(await failure(() => ((push as unknown as { sendHighWaterMark: unknown }).sendHighWaterMark = "x")), "EINVAL", "TypeError");
      expectCoded(await failure(() => push.bind(3 as never)), "EINVAL", "TypeError");
      expectCoded(await failure(() => push.send(undefined as never)), "EINVAL", "TypeError");
      expectCoded(await failure(() => new zmq.Push(3 as never)), "EINVAL", "TypeError");
      expectCoded(await failure(() => new zmq.Push({ context: {} as never })), "EINVAL");
      expectCoded(await failure(() => new zmq.Context(3 as never)), "EINVAL", "TypeError");
      expectCoded(await failure(() => new zmq.Proxy(1 as never, 2 as never)), "EINVAL", "TypeError");
      expectCoded(await failure(() => push.bind("bogus://x")), "EPROTONOSUPPORT");
    } finally {
      push.close();
    }
    expectCoded(await failure(() => push.send("x")), "EBADF");
  });

  it("wire and mechanisms: a peer's bad bytes are ProtocolErrors; our own bad arguments RangeErrors", async () => {
    expectCoded(await failure(() => encodeGreeting("M".repeat(21), false)), "EINVAL", "RangeError");
    const bad = await failure(() => new FrameDecoder().push(Buffer.from([0x80, 0x00]), { onFrame: () => undefined }));
    expectCoded(bad, "ZMTP_RESERVED_FLAGS");
    expect(bad).toBeInstanceOf(ProtocolError);
    expectCoded(await failure(() => parseZapReply([Buffer.from("1.0")])), "ZAP_MALFORMED_REPLY");
  });

  it("monitor events' errors are coded, ZAP refusals with EAUTH and no errno", () => {
    const auth = handshakeEventError({ kind: "auth", status: 400, message: "no" });
    expectCoded(auth, "EAUTH");
    expect((auth as { errno?: unknown }).errno).toBeUndefined();
    expectCoded(handshakeEventError({ kind: "protocol", code: "CURVE_DECRYPT_FAILED", message: "x" }), "ERR_ZMTP_CRYPTOGRAPHIC");
    expectCoded(handshakeEventError({ kind: "other", code: "EPIPE", message: "x" }), "EPIPE");
  });

  it("v5-compat", async () => {
    expectCoded(await failure(() => v5.socket("bogus" as never)), "EINVAL");
  });

  it("broker: protocol violations and bad settings", async () => {
    const violation = await failure(() => decodeClientCommand([]));
    expectCoded(violation, "EPROTO");
    expect(violation).toBeInstanceOf(ProtocolViolation);
    expectCoded(await failure(() => parseSyncPolicy("sometimes")), "EINVAL", "RangeError");
  });

  it("patterns: codecs, filters, topics, RPC, closed objects, aborts", async () => {
    const encode = await failure(() => raw.encode([]));
    expectCoded(encode, "EENCODE");
    expectCoded(await failure(() => json().encode(undefined as never)), "EENCODE", "TypeError");
    expectCoded(await failure(() => string.encode(3 as never)), "EENCODE", "TypeError");
    const decode = await failure(() => decodeFrames(json(), [Buffer.from("{")]));
    expectCoded(decode, "EDECODE");
    expect(decode).toBeInstanceOf(DecodeError);
    expectCoded(new EncodeError("json", "why"), "EENCODE");
    const filter = await failure(() => compileWhere(3));
    expectCoded(filter, "EINVAL");
    expect(filter).toBeInstanceOf(FilterError);
    expectCoded(await failure(() => new TopicPublisher({ ["\0x"]: json() } as never)), "EINVAL", "TypeError");
    expectCoded(new RpcError("ETIMEDOUT", "late"), "ETIMEDOUT");
    const remote = new RemoteError("EMYAPP", "handler said no", "m");
    expect(isWiremqError(remote)).toBe(true);
    expect(remote.code).toBe("EMYAPP");
    expectCoded(closedError("a consumer"), "EBADF");
    const controller = new AbortController();
    controller.abort("stop");
    const aborted = abortReason(controller.signal);
    expectCoded(aborted, "ABORT_ERR");
    expect(aborted).toBeInstanceOf(AbortError);
    expect((aborted as Error).name).toBe("AbortError");
  });

  it("command line: CliError is of the family, and classify keeps codes", () => {
    const err = new CliError("ENOENT", "no such file");
    expectCoded(err, "ENOENT");
    expect(classify(err).code).toBe("ENOENT");
    expect(classify(invalidArgument("count", "must be a number")).code).toBe("EINVAL");
  });
});

describe("the family's shape", () => {
  it("invalidArgument and outOfRange: EINVAL as a TypeError and a RangeError, the message naming the argument", () => {
    const type = invalidArgument("servers", "must name at least one server");
    expectCoded(type, "EINVAL", "TypeError");
    expect(type).toBeInstanceOf(WiremqTypeError);
    expect(type.message).toBe("servers must name at least one server");
    const range = outOfRange("concurrency", "must be at least 1");
    expectCoded(range, "EINVAL", "RangeError");
    expect(range).toBeInstanceOf(WiremqRangeError);
  });

  it("errno follows the code as libzmq numbers it; address, status and cause are kept", () => {
    const cause = new WiremqError("EPIPE", "underneath");
    const err = new WiremqError("EADDRINUSE", "Address already in use", { address: "tcp://127.0.0.1:1", cause });
    expect(err.errno).toBe(98);
    expect(err.address).toBe("tcp://127.0.0.1:1");
    expect(err.cause).toBe(cause);
    expect(err.name).toBe("Error");
    expect(new WiremqError("EFSM", "x").errno).toBe(156384763);
    expect(new ProtocolError("ZMTP_BAD_SIGNATURE", "x").errno).toBeUndefined();
  });

  it("a subclass's instanceof stays its own; the roots are not each other's", () => {
    const type = new WiremqTypeError("EINVAL", "x");
    expect(type).not.toBeInstanceOf(ProtocolError);
    expect(type).not.toBeInstanceOf(WiremqRangeError);
    expect(new WiremqError("EINVAL", "x")).not.toBeInstanceOf(WiremqTypeError);
    expect(new WiremqError("EPROTO", "x")).not.toBeInstanceOf(ProtocolError);
    expect(Object.assign(new TypeError("x"), { code: "EINVAL" })).not.toBeInstanceOf(WiremqError);
    expect(isWiremqError({ code: "EINVAL" })).toBe(false);
  });
});
