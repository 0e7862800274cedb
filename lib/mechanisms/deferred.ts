import { WiremqError } from "../errors.js";
import type { Mechanism, MechanismContext, MechanismStep, ZapReply } from "./mechanism.js";
import type { SecureChoice } from "./secure.js";

type SecureModule = typeof import("./secure.js");

let secure: SecureModule | null = null;
let loading: Promise<SecureModule> | null = null;

/**
 * Starts loading PLAIN and CURVE (once): bind and connect call it when the options ask for one,
 * so that the handshake usually finds the module loaded.
 */
export function loadSecure(): Promise<SecureModule> {
  return (loading ??= import("./secure.js").then((m) => (secure = m)));
}

/** The PLAIN or CURVE mechanism: the real one when its module has loaded, else a stand-in that loads it. */
export function createSecureMechanism(choice: SecureChoice, ctx: MechanismContext): Mechanism {
  if (secure !== null) return secure.createSecure(choice, ctx);
  return choice.kind.startsWith("curve") ? new DeferredCurve(choice, ctx) : new DeferredMechanism(choice, ctx);
}

/**
 * Stands in for a PLAIN or CURVE mechanism until its module has loaded: the engine sends its
 * greeting (name and as-server bit are known), then waits on prepare() as it does for
 * libsodium, and every later call goes to the mechanism made once the module is there.
 */
class DeferredMechanism implements Mechanism {
  readonly name: "PLAIN" | "CURVE";
  readonly asServer: boolean;
  protected real: Mechanism | null = null;
  /** What the properties read before the module loaded (the engine reads them once ready). */
  private readonly none = new Map<string, Buffer>();

  constructor(
    private readonly choice: SecureChoice,
    private readonly ctx: MechanismContext,
  ) {
    this.name = choice.kind.startsWith("curve") ? "CURVE" : "PLAIN";
    this.asServer = choice.kind.endsWith("server");
  }

  prepare(): Promise<void> | null {
    if (this.real !== null) return this.real.prepare?.() ?? null;
    return loadSecure().then((m) => {
      this.real = m.createSecure(this.choice, this.ctx);
      return this.real.prepare?.() ?? undefined;
    });
  }

  private get loaded(): Mechanism {
    // The engine calls nothing but prepare() before prepare() has settled.
    if (this.real === null) throw new WiremqError("EFSM", `${this.name} used before it loaded`);
    return this.real;
  }

  start(): MechanismStep {
    return this.loaded.start();
  }

  onCommand(body: Buffer): MechanismStep {
    return this.loaded.onCommand(body);
  }

  onZapReply(reply: ZapReply): MechanismStep {
    return this.loaded.onZapReply(reply);
  }

  get peerProperties(): Map<string, Buffer> {
    return this.real?.peerProperties ?? this.none;
  }

  get userId(): string {
    return this.real?.userId ?? "";
  }

  get zapProperties(): Map<string, Buffer> {
    return this.real?.zapProperties ?? this.none;
  }

  dispose(): void {
    this.real?.dispose?.();
  }
}

/** CURVE boxes traffic: the engine sees encode/decode from the start, as on the real one. */
class DeferredCurve extends DeferredMechanism {
  encode(flags: number, body: Uint8Array): Buffer {
    return this.real!.encode!(flags, body);
  }

  encodedSize(length: number): number {
    return this.real!.encodedSize!(length);
  }

  encodeInto(out: Buffer, at: number, flags: number, body: Uint8Array): number {
    return this.real!.encodeInto!(out, at, flags, body);
  }

  decode(commandBody: Buffer): { flags: number; body: Buffer } {
    return this.real!.decode!(commandBody);
  }

  decodeTakesInput(): boolean {
    return this.real?.decodeTakesInput?.() ?? false;
  }
}
