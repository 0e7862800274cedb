/**
 * The handshake state machines (NULL, PLAIN, CURVE, each side) fed command sequences that
 * fast-check makes: real commands of the mechanism in any order, with bodies cut, padded or
 * flipped, and plain garbage. Whatever comes, a step is returned or a coded error thrown; once
 * a side has failed it never reports ready; and a side is only ever ready after a well-formed
 * handshake (a garbage sequence cannot complete it).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CurveClient } from "../../lib/mechanisms/curve-client.js";
import { CurveServer } from "../../lib/mechanisms/curve-server.js";
import { curveKeyPair } from "../../lib/mechanisms/curve-keys.js";
import type { Mechanism, MechanismStep } from "../../lib/mechanisms/mechanism.js";
import { NullMechanism } from "../../lib/mechanisms/null.js";
import { PlainClient, PlainServer } from "../../lib/mechanisms/plain.js";
import { loadSodium } from "../../lib/mechanisms/sodium.js";
import { encodeCommand } from "../../lib/wire/command.js";
import { context, drive, zapReply } from "../helpers/mechanism-harness.js";
import { codeOf, propertyRuns } from "../helpers/property.js";

beforeAll(() => loadSodium());

const serverKeys = curveKeyPair();
const clientKeys = curveKeyPair();

type Side = "client" | "server";
interface Kind {
  name: string;
  make(side: Side): Mechanism;
}

const KINDS: Kind[] = [
  { name: "NULL", make: (side) => new NullMechanism(context(side === "client" ? "DEALER" : "ROUTER")) },
  {
    name: "PLAIN",
    make: (side) =>
      side === "client"
        ? new PlainClient(context("DEALER"), { username: "user", password: "pass" })
        : new PlainServer(context("ROUTER", { zapEnabled: true })),
  },
  {
    name: "CURVE",
    make: (side) =>
      side === "client"
        ? new CurveClient(context("DEALER"), { serverKey: serverKeys.publicKey, publicKey: clientKeys.publicKey, secretKey: clientKeys.secretKey })
        : new CurveServer(context("ROUTER", { zapEnabled: true }), { secretKey: serverKeys.secretKey }),
  },
];

/** The commands a real handshake of this kind sends, both sides, to mutate. */
function realCommands(kind: Kind): Buffer[] {
  const r = drive(kind.make("client"), kind.make("server"), () => zapReply(200, "user"));
  expect(r.client.ready && r.server.ready).toBe(true);
  return r.wire.map((w) => w.body);
}

const NAMES = ["HELLO", "WELCOME", "INITIATE", "READY", "ERROR", "MESSAGE", "PING", "PONG", "SUBSCRIBE"];

function commandArb(real: Buffer[]): fc.Arbitrary<Buffer> {
  const realOne = fc.constantFrom(...real);
  return fc.oneof(
    realOne,
    // A real command cut short or with bytes after it.
    fc.tuple(realOne, fc.nat()).map(([b, n]) => b.subarray(0, n % (b.length + 1))),
    fc.tuple(realOne, fc.uint8Array({ minLength: 1, maxLength: 40 })).map(([b, tail]) => Buffer.concat([b, tail])),
    // A real command with one byte flipped.
    fc.tuple(realOne, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([b, i, x]) => {
      const c = Buffer.from(b);
      if (c.length > 0) c[i % c.length] ^= x;
      return c;
    }),
    // A known name with any data, and bytes with no shape at all.
    fc.tuple(fc.constantFrom(...NAMES), fc.uint8Array({ maxLength: 300 })).map(([n, d]) => encodeCommand(n, d)),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  );
}

/** Feeds `commands` to a fresh side; returns whether it became ready and whether it failed. */
function feed(mech: Mechanism, commands: Buffer[]): { ready: boolean; failed: boolean } {
  let ready = false;
  let failed = false;
  const take = (step: MechanismStep): void => {
    expect(Array.isArray(step.send)).toBe(true);
    if (step.error !== undefined) {
      expect(["protocol", "auth", "other"]).toContain(step.error.kind);
      failed = true;
    }
    if (step.ready === true) {
      expect(failed).toBe(false);
      ready = true;
    }
    if (step.zap !== undefined && !failed) take(mech.onZapReply(zapReply(200, "user")));
  };
  try {
    take(mech.start());
    for (const c of commands) {
      if (failed) break;
      take(mech.onCommand(c));
    }
  } catch (err) {
    codeOf(err);
    failed = true;
  }
  return { ready, failed };
}

describe.each(KINDS)("$name handshake properties", (kind) => {
  let real: Buffer[] = [];
  beforeAll(() => {
    real = realCommands(kind);
  });

  it.each(["client", "server"] as const)("the %s side takes any command sequence without an uncoded throw", (side) => {
    fc.assert(
      fc.property(fc.array(commandArb(real), { maxLength: 6 }), (commands) => {
        feed(kind.make(side), commands);
      }),
      propertyRuns(kind.name === "CURVE" ? 0.5 : 1),
    );
  });

  it.each(["client", "server"] as const)("the %s side never completes on garbage alone", (side) => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), { maxLength: 5 }), (commands) => {
        const outcome = feed(kind.make(side), commands);
        // NULL completes on any well-formed READY; random bytes are one only by a long chance.
        if (kind.name !== "NULL") expect(outcome.ready).toBe(false);
      }),
      propertyRuns(),
    );
  });
});
