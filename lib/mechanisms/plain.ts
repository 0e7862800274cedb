/**
 * 24/ZMTP-PLAIN. Client: HELLO {username, password} → WELCOME → INITIATE {metadata} → READY.
 * Server: the reverse, asking ZAP about the credentials between HELLO and WELCOME.
 * Credentials travel in clear text: PLAIN is for trusted networks only.
 */
import { ZmqError } from "../errors.js";
import { encodeCommand, encodeMetadata, encodeReady, isCommand, parseCommand, parseMetadata, READY } from "../wire/command.js";
import { errorCommandData, failStep, peerErrorStep, zapRefusedStep } from "./failure.js";
import { askZapStep } from "./zap.js";
import type { Mechanism, MechanismContext, MechanismStep, ZapReply } from "./mechanism.js";

export const HELLO = "HELLO";
export const WELCOME = "WELCOME";
export const INITIATE = "INITIATE";

export interface PlainClientOptions {
  username: string | Uint8Array;
  password: string | Uint8Array;
}

function field(value: string | Uint8Array, role: string): Buffer {
  const b = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  if (b.length > 255) throw new ZmqError("EINVAL", `PLAIN ${role} is longer than 255 bytes`);
  return b;
}

/** HELLO body: name, username length (1), username, password length (1), password. */
export function encodePlainHello(username: Uint8Array, password: Uint8Array): Buffer {
  const data = Buffer.allocUnsafe(2 + username.length + password.length);
  data[0] = username.length;
  data.set(username, 1);
  data[1 + username.length] = password.length;
  data.set(password, 2 + username.length);
  return encodeCommand(HELLO, data);
}

/** Parses HELLO data strictly (no bytes left over), as libzmq's plain_server does. */
export function parsePlainHello(data: Buffer): { username: Buffer; password: Buffer } | null {
  if (data.length < 1) return null;
  const ulen = data[0]!;
  if (data.length < 2 + ulen) return null;
  const plen = data[1 + ulen]!;
  if (data.length !== 2 + ulen + plen) return null;
  return { username: data.subarray(1, 1 + ulen), password: data.subarray(2 + ulen) };
}

type ClientState = "start" | "expect-welcome" | "expect-ready" | "ready" | "failed";

export class PlainClient implements Mechanism {
  readonly name = "PLAIN" as const;
  readonly asServer = false;
  peerProperties = new Map<string, Buffer>();
  userId = "";
  zapProperties = new Map<string, Buffer>();
  private state: ClientState = "start";
  private readonly username: Buffer;
  private readonly password: Buffer;

  constructor(
    private readonly ctx: MechanismContext,
    options: PlainClientOptions,
  ) {
    this.username = field(options.username, "username");
    this.password = field(options.password, "password");
  }

  start(): MechanismStep {
    if (this.state !== "start") return this.fail("PLAIN_UNEXPECTED", "start() called twice");
    this.state = "expect-welcome";
    return { send: [encodePlainHello(this.username, this.password)] };
  }

  onCommand(body: Buffer): MechanismStep {
    const errorData = errorCommandData(body);
    if (errorData && (this.state === "expect-welcome" || this.state === "expect-ready")) {
      this.state = "failed";
      this.password.fill(0);
      return peerErrorStep(errorData);
    }
    if (this.state === "expect-welcome" && isCommand(body, WELCOME)) {
      if (body.length !== 1 + WELCOME.length) return this.fail("ZMTP_MALFORMED_COMMAND_WELCOME", "PLAIN WELCOME carries data");
      // The password has been sent and is not needed again on this connection.
      this.password.fill(0);
      this.state = "expect-ready";
      return { send: [encodeCommand(INITIATE, encodeMetadata(this.ctx.properties))] };
    }
    if (this.state === "expect-ready" && isCommand(body, READY)) {
      try {
        this.peerProperties = parseMetadata(body.subarray(1 + READY.length));
      } catch {
        return this.fail("ZMTP_INVALID_METADATA", "PLAIN READY metadata is malformed");
      }
      this.state = "ready";
      return { send: [], ready: true };
    }
    return this.fail("ZMTP_UNEXPECTED_COMMAND", `PLAIN client did not expect ${commandName(body)} now`);
  }

  onZapReply(_reply: ZapReply): MechanismStep {
    return this.fail("PLAIN_UNEXPECTED", "a PLAIN client never asks ZAP");
  }

  dispose(): void {
    this.password.fill(0);
  }

  private fail(code: string, message: string): MechanismStep {
    this.state = "failed";
    this.password.fill(0);
    return failStep("protocol", code, message);
  }
}

type ServerState = "expect-hello" | "wait-zap" | "expect-initiate" | "ready" | "failed";

export class PlainServer implements Mechanism {
  readonly name = "PLAIN" as const;
  readonly asServer = true;
  peerProperties = new Map<string, Buffer>();
  userId = "";
  zapProperties = new Map<string, Buffer>();
  private state: ServerState = "expect-hello";

  constructor(
    private readonly ctx: MechanismContext,
    _options: Record<string, never> = {},
  ) {}

  start(): MechanismStep {
    return { send: [] };
  }

  onCommand(body: Buffer): MechanismStep {
    if (this.state === "expect-hello" && isCommand(body, HELLO)) {
      const creds = parsePlainHello(body.subarray(1 + HELLO.length));
      if (!creds) return this.fail("protocol", "ZMTP_MALFORMED_COMMAND_HELLO", "PLAIN HELLO is malformed");
      // libzmq 4.3 (plain_server_t::process_hello): when session->zap_connect() fails because
      // no handler is bound at inproc://zeromq.zap.01, the handshake fails with no ERROR sent
      // (monitor event handshake:error:other, EFAULT). "There is no point to PLAIN if ZAP is
      // not set up", so a PLAIN server without a ZAP handler refuses every client. We do the
      // same. (libzmq then leaves the TCP connection open until its handshake interval ends;
      // closing at once is the engine's call. Verified in test/mechanisms/plain-mechanism.test.ts.)
      if (!this.ctx.zapEnabled) {
        return this.fail("other", "PLAIN_NO_ZAP_HANDLER", "PLAIN server has no ZAP handler to check credentials");
      }
      this.state = "wait-zap";
      return askZapStep(this.ctx, "PLAIN", [Buffer.from(creds.username), Buffer.from(creds.password)]);
    }
    if (this.state === "expect-initiate" && isCommand(body, INITIATE)) {
      try {
        this.peerProperties = parseMetadata(body.subarray(1 + INITIATE.length));
      } catch {
        return this.fail("protocol", "ZMTP_INVALID_METADATA", "PLAIN INITIATE metadata is malformed");
      }
      this.state = "ready";
      return { send: [encodeReady(this.ctx.properties)], ready: true };
    }
    return this.fail("protocol", "ZMTP_UNEXPECTED_COMMAND", `PLAIN server did not expect ${commandName(body)} now`);
  }

  onZapReply(reply: ZapReply): MechanismStep {
    if (this.state !== "wait-zap") {
      return this.fail("protocol", "PLAIN_UNEXPECTED", "ZAP reply while no ZAP request is pending");
    }
    if (reply.status !== 200) {
      this.state = "failed";
      return zapRefusedStep(reply);
    }
    this.userId = reply.userId;
    this.zapProperties = reply.metadata;
    this.state = "expect-initiate";
    return { send: [encodeCommand(WELCOME)] };
  }

  private fail(kind: "protocol" | "other", code: string, message: string): MechanismStep {
    this.state = "failed";
    return failStep(kind, code, message);
  }
}

/** The command's name for an error message, made printable; never its data. */
export function commandName(body: Buffer): string {
  try {
    const name = parseCommand(body).name.replace(/[^\x20-\x7e]/g, "?");
    return name === "" ? "an empty command" : name;
  } catch {
    return "a malformed command";
  }
}
