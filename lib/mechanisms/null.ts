import { encodeReady, isCommand, parseCommand, parseError, parseMetadata, READY, ERROR, encodeError } from "../wire/command.js";
import type { Mechanism, MechanismContext, MechanismStep, ZapReply } from "./mechanism.js";

/** NULL (37/ZMTP): each side sends READY with its metadata; ZAP only when a domain is set. */
export class NullMechanism implements Mechanism {
  readonly name = "NULL" as const;
  readonly asServer = false;
  peerProperties = new Map<string, Buffer>();
  userId = "";
  zapProperties = new Map<string, Buffer>();
  private gotReady = false;
  private zapDone = false;
  private zapAsked = false;

  constructor(private readonly ctx: MechanismContext) {}

  start(): MechanismStep {
    return { send: [encodeReady(this.ctx.properties)] };
  }

  onCommand(body: Buffer): MechanismStep {
    if (this.gotReady) {
      return { send: [], error: { kind: "protocol", message: "unexpected command after READY" } };
    }
    if (isCommand(body, ERROR)) {
      const { data } = parseCommand(body);
      return { send: [], error: { kind: "other", message: `peer sent ERROR: ${safeReason(data)}` } };
    }
    if (!isCommand(body, READY)) {
      const { name } = parseCommand(body);
      return { send: [], error: { kind: "protocol", message: `expected READY, got ${name}` } };
    }
    this.peerProperties = parseMetadata(parseCommand(body).data);
    this.gotReady = true;
    if (this.ctx.zapDomain !== "" && this.ctx.zapEnabled && !this.zapAsked) {
      this.zapAsked = true;
      return {
        send: [],
        zap: {
          domain: this.ctx.zapDomain,
          address: this.ctx.peerAddress,
          routingId: this.ctx.routingId,
          mechanism: "NULL",
          credentials: [],
        },
      };
    }
    this.zapDone = true;
    return { send: [], ready: true };
  }

  onZapReply(reply: ZapReply): MechanismStep {
    this.zapDone = true;
    if (reply.status !== 200) {
      return {
        send: [encodeError(String(reply.status))],
        error: { kind: "auth", message: `ZAP refused the peer: ${reply.status} ${reply.statusText}`, status: reply.status },
      };
    }
    this.userId = reply.userId;
    this.zapProperties = reply.metadata;
    return { send: [], ready: this.gotReady && this.zapDone };
  }
}

function safeReason(data: Buffer): string {
  try {
    return parseError(data);
  } catch {
    return "(malformed)";
  }
}
