/**
 * The server side of a CURVE handshake (WELCOME to a HELLO, READY to an INITIATE the ZAP
 * handler accepts); curve.ts has the byte layouts.
 */
import { randomFill } from "../util/random.js";
import { encodeMetadata, isCommand, parseMetadata } from "../wire/command.js";
import { curveKeyBytes, type CurveKey } from "./curve-keys.js";
import { failStep, zapRefusedStep } from "./failure.js";
import { askZapStep } from "./zap.js";
import type { Mechanism, MechanismContext, MechanismStep, ZapReply } from "./mechanism.js";
import { commandName } from "./plain.js";
import * as nacl from "./sodium.js";
import { HELLO_SIZE, INITIATE_MIN_SIZE, HELLO_NAME, INITIATE_NAME, NAME_WELCOME, NAME_READY, ZERO_64, nonceWithPrefix, writeCounter, equal, view, CurveBase } from "./curve.js";

export interface CurveServerOptions {
  /** Our long-term secret key (s). */
  secretKey: CurveKey;
  /** Our long-term public key (S); derived from `secretKey` when omitted. */
  publicKey?: CurveKey;
}

type ServerState = "expect-hello" | "expect-initiate" | "wait-zap" | "ready" | "failed";

export class CurveServer extends CurveBase implements Mechanism {
  readonly asServer = true;
  private state: ServerState = "expect-hello";
  private readonly publicKey: Buffer;
  private secretKey: Buffer;
  private clientShort: Buffer | null = null;
  private cnSecret: Uint8Array | null = null;
  private cookieKey: Buffer | null = null;

  constructor(ctx: MechanismContext, options: CurveServerOptions) {
    super(ctx);
    this.secretKey = curveKeyBytes(options.secretKey, "secret key");
    this.publicKey =
      options.publicKey === undefined ? Buffer.from(nacl.publicKeyOf(this.secretKey)) : curveKeyBytes(options.publicKey, "public key");
  }

  start(): MechanismStep {
    return { send: [] };
  }

  onCommand(body: Buffer): MechanismStep {
    if (body.length <= 1 || body.length <= body[0]!) {
      return this.fail("ZMTP_MALFORMED_COMMAND_UNSPECIFIED", "CURVE handshake command shorter than its name");
    }
    if (this.state === "expect-hello" && isCommand(body, HELLO_NAME)) return this.onHello(body);
    if (this.state === "expect-initiate" && isCommand(body, INITIATE_NAME)) return this.onInitiate(body);
    return this.fail("ZMTP_UNEXPECTED_COMMAND", `CURVE server did not expect ${commandName(body)} now`);
  }

  onZapReply(reply: ZapReply): MechanismStep {
    if (this.state !== "wait-zap") return this.fail("CURVE_UNEXPECTED", "ZAP reply while no ZAP request is pending");
    if (reply.status !== 200) {
      this.state = "failed";
      this.wipeSecrets();
      return zapRefusedStep(reply);
    }
    this.userId = reply.userId;
    this.zapProperties = reply.metadata;
    return this.sendReady();
  }

  private onHello(body: Buffer): MechanismStep {
    if (body.length !== HELLO_SIZE) {
      return this.fail("ZMTP_MALFORMED_COMMAND_HELLO", `CURVE HELLO is ${body.length} bytes, expected 200`);
    }
    if (body[6] !== 1 || body[7] !== 0) {
      return this.fail("ZMTP_MALFORMED_COMMAND_HELLO", `CURVE HELLO has version ${body[6]}.${body[7]}, expected 1.0`);
    }
    // Bytes 8..79 are padding (anti-amplification): libzmq never reads them, so neither do we.
    const clientShort = Buffer.from(body.subarray(80, 112));
    const nonce = nonceWithPrefix("CurveZMQHELLO---");
    body.copy(nonce, 16, 112, 120);
    const signature = nacl.open(body.subarray(120, 200), nonce, clientShort, this.secretKey);
    if (signature === null || !equal(signature, ZERO_64)) {
      return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE HELLO box (client has the wrong server key?)");
    }
    this.acceptPeerNonce(body, 112, false);
    this.clientShort = clientShort;

    // Our short-term key pair for this connection, and a cookie that carries it: SecretBox[C' + s'](K)
    // under a cookie key made for this connection alone and dropped at INITIATE.
    const short = nacl.keyPair();
    this.cnSecret = short.secretKey;
    this.cookieKey = Buffer.alloc(32);
    randomFill(this.cookieKey);
    const cookieNonce = nonceWithPrefix("COOKIE--");
    randomFill(cookieNonce, 8, 16);
    const cookiePlain = Buffer.concat([clientShort, short.secretKey]);
    const cookieBox = nacl.secretbox(cookiePlain, cookieNonce, this.cookieKey);
    nacl.wipe(cookiePlain);

    const welcomeNonce = nonceWithPrefix("WELCOME-");
    randomFill(welcomeNonce, 8, 16);
    const welcomePlain = Buffer.concat([short.publicKey, cookieNonce.subarray(8), cookieBox]);
    const welcomeBox = nacl.box(welcomePlain, welcomeNonce, clientShort, this.secretKey);
    if (welcomeBox === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE client short-term key is not usable");
    this.state = "expect-initiate";
    return { send: [Buffer.concat([NAME_WELCOME, welcomeNonce.subarray(8), welcomeBox])] };
  }

  private onInitiate(body: Buffer): MechanismStep {
    if (body.length < INITIATE_MIN_SIZE) {
      return this.fail("ZMTP_MALFORMED_COMMAND_INITIATE", `CURVE INITIATE is ${body.length} bytes, at least 257 expected`);
    }
    const clientShort = this.clientShort!;
    const cnSecret = this.cnSecret!;

    const cookieNonce = nonceWithPrefix("COOKIE--");
    body.copy(cookieNonce, 8, 9, 25);
    const cookie = nacl.secretboxOpen(body.subarray(25, 105), cookieNonce, this.cookieKey!);
    nacl.wipe(this.cookieKey);
    this.cookieKey = null;
    if (cookie === null) return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE INITIATE cookie");
    const cookieOk = equal(cookie.subarray(0, 32), clientShort) && equal(cookie.subarray(32, 64), cnSecret);
    nacl.wipe(cookie);
    if (!cookieOk) return this.fail("CURVE_DECRYPT_FAILED", "CURVE INITIATE cookie is not ours");

    if (!this.acceptPeerNonce(body, 105, true)) {
      return this.fail("CURVE_BAD_NONCE", "CURVE INITIATE short nonce does not follow HELLO's");
    }
    const key = nacl.beforenm(clientShort, cnSecret);
    if (key === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE client short-term key is not usable");
    this.key = key;
    const initNonce = nonceWithPrefix("CurveZMQINITIATE");
    body.copy(initNonce, 16, 105, 113);
    const plain = nacl.openAfter(body.subarray(113), initNonce, key);
    if (plain === null) return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE INITIATE box");

    const clientKey = Buffer.from(plain.subarray(0, 32));
    const vouchNonce = nonceWithPrefix("VOUCH---");
    vouchNonce.set(plain.subarray(32, 48), 8);
    const vouch = nacl.open(plain.subarray(48, 128), vouchNonce, clientKey, cnSecret);
    if (vouch === null) return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE INITIATE vouch");
    if (!equal(vouch.subarray(0, 32), clientShort) || !equal(vouch.subarray(32, 64), this.publicKey)) {
      return this.fail("CURVE_KEY_EXCHANGE", "CURVE vouch does not name this connection's keys");
    }
    try {
      this.peerProperties = parseMetadata(view(plain, 128));
    } catch {
      return this.fail("ZMTP_INVALID_METADATA", "CURVE INITIATE metadata is malformed");
    }
    this.wipeSecrets();

    // libzmq 4.3 (curve_server_t::process_initiate): ask ZAP when a handler is bound; with none
    // accept every client that holds the server key. With zap_enforce_domain, ZAP is asked only
    // when a domain is set, and then a missing handler refuses the client (EFAULT).
    const enforce = this.ctx.zapEnforceDomain === true;
    if (this.ctx.zapDomain !== "" || !enforce) {
      if (this.ctx.zapEnabled) {
        this.state = "wait-zap";
        return askZapStep(this.ctx, "CURVE", [clientKey]);
      }
      if (enforce) return this.fail("ZAP_NO_HANDLER", "CURVE server has a ZAP domain but no ZAP handler (zapEnforceDomain)", "other");
    }
    return this.sendReady();
  }

  private sendReady(): MechanismStep {
    const key = this.key!;
    const nonce = nonceWithPrefix("CurveZMQREADY---");
    writeCounter(nonce, 16, this.counter.next());
    const boxed = nacl.boxAfter(encodeMetadata(this.ctx.properties), nonce, key);
    const ready = Buffer.concat([NAME_READY, nonce.subarray(16), boxed]);
    this.startCodec(key, "CurveZMQMESSAGES", "CurveZMQMESSAGEC");
    this.state = "ready";
    return { send: [ready], ready: true };
  }

  protected wipeSecrets(): void {
    nacl.wipe(this.cnSecret, this.cookieKey, this.secretKey);
    this.cnSecret = null;
    this.cookieKey = null;
  }

  private fail(code: string, message: string, kind: "protocol" | "other" = "protocol"): MechanismStep {
    this.state = "failed";
    this.wipeSecrets();
    return failStep(kind, code, message);
  }
}
