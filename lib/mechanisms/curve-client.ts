/** The client side of a CURVE handshake (HELLO, then INITIATE once WELCOME arrives); curve.ts has the byte layouts. */
import { randomFill } from "../util/random.js";
import { encodeMetadata, isCommand, parseMetadata, READY } from "../wire/command.js";
import { curveKeyBytes, type CurveKey } from "./curve-keys.js";
import { errorCommandData, failStep, peerErrorStep } from "./failure.js";
import type { Mechanism, MechanismContext, MechanismStep, ZapReply } from "./mechanism.js";
import { commandName } from "./plain.js";
import * as nacl from "./sodium.js";
import { HELLO_SIZE, WELCOME_SIZE, READY_MIN_SIZE, WELCOME_NAME, NAME_HELLO, NAME_INITIATE, ZERO_64, nonceWithPrefix, writeCounter, view, CurveBase } from "./curve.js";

export interface CurveClientOptions {
  /** The server's long-term public key (S). */
  serverKey: CurveKey;
  /** Our long-term secret key (c). */
  secretKey: CurveKey;
  /** Our long-term public key (C); derived from `secretKey` when omitted. */
  publicKey?: CurveKey;
}

type ClientState = "start" | "expect-welcome" | "expect-ready" | "ready" | "failed";

export class CurveClient extends CurveBase implements Mechanism {
  readonly asServer = false;
  private state: ClientState = "start";
  private readonly serverKey: Buffer;
  private readonly publicKey: Buffer;
  private secretKey: Buffer;
  private readonly cnPublic: Uint8Array;
  private cnSecret: Uint8Array;

  constructor(ctx: MechanismContext, options: CurveClientOptions) {
    super(ctx);
    this.serverKey = curveKeyBytes(options.serverKey, "server key");
    this.secretKey = curveKeyBytes(options.secretKey, "secret key");
    this.publicKey =
      options.publicKey === undefined ? Buffer.from(nacl.publicKeyOf(this.secretKey)) : curveKeyBytes(options.publicKey, "public key");
    const kp = nacl.keyPair();
    this.cnPublic = kp.publicKey;
    this.cnSecret = kp.secretKey;
  }

  start(): MechanismStep {
    if (this.state !== "start") return this.fail("CURVE_UNEXPECTED", "start() called twice");
    const nonce = nonceWithPrefix("CurveZMQHELLO---");
    writeCounter(nonce, 16, this.counter.next());
    const signature = nacl.box(ZERO_64, nonce, this.serverKey, this.cnSecret);
    if (signature === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE server key is not a usable public key");
    const hello = Buffer.alloc(HELLO_SIZE);
    NAME_HELLO.copy(hello, 0);
    hello[6] = 1;
    hello[7] = 0;
    hello.set(this.cnPublic, 80);
    nonce.copy(hello, 112, 16, 24);
    hello.set(signature, 120);
    this.state = "expect-welcome";
    return { send: [hello] };
  }

  onCommand(body: Buffer): MechanismStep {
    const errorData = errorCommandData(body);
    if (errorData && (this.state === "expect-welcome" || this.state === "expect-ready")) {
      this.state = "failed";
      this.wipeSecrets();
      return peerErrorStep(errorData);
    }
    if (this.state === "expect-welcome" && isCommand(body, WELCOME_NAME)) return this.onWelcome(body);
    if (this.state === "expect-ready" && isCommand(body, READY)) return this.onReady(body);
    return this.fail("ZMTP_UNEXPECTED_COMMAND", `CURVE client did not expect ${commandName(body)} now`);
  }

  onZapReply(_reply: ZapReply): MechanismStep {
    return this.fail("CURVE_UNEXPECTED", "a CURVE client never asks ZAP");
  }

  private onWelcome(body: Buffer): MechanismStep {
    if (body.length !== WELCOME_SIZE) {
      return this.fail("ZMTP_MALFORMED_COMMAND_WELCOME", `CURVE WELCOME is ${body.length} bytes, expected 168`);
    }
    const welcomeNonce = nonceWithPrefix("WELCOME-");
    body.copy(welcomeNonce, 8, 8, 24);
    const plain = nacl.open(body.subarray(24), welcomeNonce, this.serverKey, this.cnSecret);
    if (plain === null || plain.length !== 128) {
      return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE WELCOME box (wrong server key?)");
    }
    const serverShort = plain.subarray(0, 32);
    const cookie = plain.subarray(32, 128);
    const key = nacl.beforenm(serverShort, this.cnSecret);
    if (key === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE server short-term key is not usable");

    // vouch = Box[C' + S](C → S'), long nonce "VOUCH---" + 16 random bytes.
    const vouchNonce = nonceWithPrefix("VOUCH---");
    randomFill(vouchNonce, 8, 16);
    const vouchPlain = Buffer.concat([this.cnPublic, this.serverKey]);
    const vouch = nacl.box(vouchPlain, vouchNonce, serverShort, this.secretKey);
    if (vouch === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE server short-term key is not usable");

    const metadata = encodeMetadata(this.ctx.properties);
    const initPlain = Buffer.concat([this.publicKey, vouchNonce.subarray(8), vouch, metadata]);
    const initNonce = nonceWithPrefix("CurveZMQINITIATE");
    writeCounter(initNonce, 16, this.counter.next());
    const initBox = nacl.boxAfter(initPlain, initNonce, key);
    nacl.wipe(initPlain);
    const initiate = Buffer.concat([NAME_INITIATE, cookie, initNonce.subarray(16), initBox]);

    this.key = key;
    this.wipeSecrets();
    this.state = "expect-ready";
    return { send: [initiate] };
  }

  private onReady(body: Buffer): MechanismStep {
    if (body.length < READY_MIN_SIZE) {
      return this.fail("ZMTP_MALFORMED_COMMAND_READY", `CURVE READY is ${body.length} bytes, at least 30 expected`);
    }
    const nonce = nonceWithPrefix("CurveZMQREADY---");
    body.copy(nonce, 16, 6, 14);
    const plain = nacl.openAfter(body.subarray(14), nonce, this.key!);
    if (plain === null) return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE READY box");
    try {
      this.peerProperties = parseMetadata(view(plain));
    } catch {
      return this.fail("ZMTP_INVALID_METADATA", "CURVE READY metadata is malformed");
    }
    this.acceptPeerNonce(body, 6, false);
    this.startCodec(this.key!, "CurveZMQMESSAGEC", "CurveZMQMESSAGES");
    this.state = "ready";
    return { send: [], ready: true };
  }

  protected wipeSecrets(): void {
    nacl.wipe(this.cnSecret, this.secretKey);
  }

  private fail(code: string, message: string): MechanismStep {
    this.state = "failed";
    this.wipeSecrets();
    return failStep("protocol", code, message);
  }
}
