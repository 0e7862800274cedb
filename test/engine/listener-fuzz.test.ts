/**
 * Byte-level fuzz of a PLAIN and a CURVE listener, beside the NULL garbage tests: seeded raw
 * connections send the mechanism's greeting and then handshake-shaped or shapeless bytes. Each
 * is dropped by the listener (never left open past the handshake timeout), nothing throws, and
 * a libzmq client of the same listener keeps delivering throughout. Bounded for CI; the seed
 * and count come from FUZZ_SEED / FUZZ_CONNECTIONS for a longer local run.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { curveKeyPair, Pull } from "../../lib/index.js";
import { setZapHandler } from "../../lib/security.js";
import { encodeCommand } from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND, FLAG_LONG, FLAG_MORE } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import { int, randomBytes, rng, type Rng } from "../helpers/random.js";
import { closedPromise, rawConnect, tracker, waitEvent, within } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(async () => {
  setZapHandler(null);
  await closeAll();
});

const SEED = Number(process.env.FUZZ_SEED ?? 4242);
const CONNECTIONS = Number(process.env.FUZZ_CONNECTIONS ?? 40);
const HANDSHAKE_MS = 400;

const NAMES: Record<"PLAIN" | "CURVE", string[]> = {
  PLAIN: ["HELLO", "INITIATE", "WELCOME", "READY", "ERROR"],
  CURVE: ["HELLO", "INITIATE", "WELCOME", "READY", "MESSAGE", "ERROR"],
};

/** What one hostile connection writes after its greeting. */
function attackBytes(r: Rng, mechanism: "PLAIN" | "CURVE"): Buffer {
  const parts: Buffer[] = [];
  const frames = 1 + int(r, 4);
  for (let i = 0; i < frames; i++) {
    const k = r();
    if (k < 0.45) {
      // A command of the mechanism's own with random data, sized around what it expects.
      const name = NAMES[mechanism][int(r, NAMES[mechanism].length)]!;
      const size = [0, 1, 31, 32, 96, 144, 168, 199, 200, 257, 300][int(r, 11)]!;
      parts.push(encodeFrame(FLAG_COMMAND, encodeCommand(name, randomBytes(r, size))));
    } else if (k < 0.65) {
      // A frame with random flags (MORE, LONG, COMMAND) and a short body.
      const flags = [0, FLAG_MORE, FLAG_COMMAND, FLAG_COMMAND | FLAG_MORE][int(r, 4)]!;
      parts.push(encodeFrame(flags, randomBytes(r, int(r, 64))));
    } else if (k < 0.75) {
      // A long-frame header announcing far more than will come (must not be reserved up front).
      const header = Buffer.alloc(9);
      header[0] = FLAG_COMMAND | FLAG_LONG;
      header.writeBigUInt64BE(BigInt(1 + int(r, 2 ** 30)), 1);
      parts.push(header, randomBytes(r, int(r, 32)));
    } else {
      parts.push(randomBytes(r, 1 + int(r, 256)));
    }
  }
  return Buffer.concat(parts);
}

describe.each(["PLAIN", "CURVE"] as const)("%s listener under seeded byte fuzz", (mechanism) => {
  it(`drops ${CONNECTIONS} hostile connections and keeps serving a libzmq client`, async () => {
    const server = curveKeyPair();
    const client = curveKeyPair();
    setZapHandler(() => ({ status: 200, statusText: "OK", userId: "fuzz" }));
    const pull = track(
      new Pull(
        mechanism === "PLAIN"
          ? { plainServer: true, handshakeInterval: HANDSHAKE_MS, receiveTimeout: 5000 }
          : { curveServer: true, curveSecretKey: server.secretKey, handshakeInterval: HANDSHAKE_MS, receiveTimeout: 5000 },
      ),
    );
    await pull.bind("tcp://127.0.0.1:*");
    const good = track(
      new zmq.Push(
        mechanism === "PLAIN"
          ? { plainUsername: "u", plainPassword: "p" }
          : { curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey },
      ),
    );
    const up = waitEvent(pull, "handshake");
    good.connect(pull.lastEndpoint!);
    await up;

    const r = rng(SEED);
    const greeting = encodeGreeting(mechanism, false);
    for (let batch = 0; batch < CONNECTIONS; batch += 10) {
      const attacks = Array.from({ length: Math.min(10, CONNECTIONS - batch) }, async () => {
        const sock = track(await rawConnect(pull.lastEndpoint!));
        sock.resume();
        const closed = closedPromise(sock);
        sock.write(Buffer.concat([greeting, attackBytes(r, mechanism)]));
        await within(closed, HANDSHAKE_MS * 10, `a hostile ${mechanism} connection being dropped`);
      });
      await Promise.all(attacks);
      // The good client is served between every batch.
      await good.send(["still", String(batch)]);
      expect((await pull.receive()).map(String)).toEqual(["still", String(batch)]);
    }
  });
});
