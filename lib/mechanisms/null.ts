import { encodeReady, isCommand, parseCommand, parseMetadata, READY, type Properties } from "../wire/command.js";
import { errorCommandData, failStep, peerErrorStep, zapRefusedStep } from "./failure.js";
import type { Mechanism, MechanismContext, MechanismStep, ZapReply } from "./mechanism.js";
import { askZapStep } from "./zap.js";

/**
 * READY commands by the properties they carry: a socket gives every connection the same
 * properties (until its routing id changes), so one READY serves all its connections. Its
 * bytes are never changed once encoded: they are copied into frames, never written into.
 */
const readyOf = new WeakMap<Properties, Buffer>();

function readyFor(props: Properties): Buffer {
  let ready = readyOf.get(props);
  if (ready === undefined) {
    ready = encodeReady(props);
    readyOf.set(props, ready);
  }
  return ready;
}

const NO_ZAP_PROPERTIES = new Map<string, Buffer>();

/** NULL (37/ZMTP): each side sends READY with its metadata; ZAP only when a domain is set. */
export class NullMechanism implements Mechanism {
  readonly name = "NULL" as const;
  readonly asServer = false;
  peerProperties = new Map<string, Buffer>();
  userId = "";
  /** Replaced, never changed: until a ZAP reply sets its own, every connection shares one empty map. */
  zapProperties: Map<string, Buffer> = NO_ZAP_PROPERTIES;
  private gotReady = false;

  constructor(private readonly ctx: MechanismContext) {}

  /**
   * With a ZAP handler to ask, READY waits for its verdict, as libzmq's does: a refused peer
   * then sees only ERROR (or, on 300, nothing), never a handshake that seemed to succeed.
   */
  private get asksZap(): boolean {
    return this.ctx.zapDomain !== "" && this.ctx.zapEnabled;
  }

  start(): MechanismStep {
    return { send: this.asksZap ? [] : [readyFor(this.ctx.properties)] };
  }

  startEarly(): Buffer[] | null {
    return this.asksZap ? null : [readyFor(this.ctx.properties)];
  }

  onCommand(body: Buffer): MechanismStep {
    if (this.gotReady) return failStep("protocol", "ZMTP_UNEXPECTED_COMMAND", "unexpected command after READY");
    const error = errorCommandData(body);
    if (error !== null) return peerErrorStep(error);
    if (!isCommand(body, READY)) {
      return failStep("protocol", "ZMTP_UNEXPECTED_COMMAND", `expected READY, got ${parseCommand(body).name}`);
    }
    try {
      this.peerProperties = parseMetadata(parseCommand(body).data);
    } catch {
      return failStep("protocol", "ZMTP_INVALID_METADATA", "NULL READY metadata is malformed");
    }
    this.gotReady = true;
    if (this.ctx.zapDomain !== "") {
      if (this.ctx.zapEnabled) return askZapStep(this.ctx, "NULL", []);
      // libzmq (null_mechanism_t): no handler to ask, with zap_enforce_domain: EFAULT, no ERROR.
      if (this.ctx.zapEnforceDomain === true) return failStep("other", "ZAP_NO_HANDLER", "ZAP domain set but no ZAP handler (zapEnforceDomain)");
    }
    return { send: [], ready: true };
  }

  onZapReply(reply: ZapReply): MechanismStep {
    if (reply.status !== 200) return zapRefusedStep(reply);
    this.userId = reply.userId;
    this.zapProperties = reply.metadata;
    return { send: [readyFor(this.ctx.properties)], ready: true };
  }
}
