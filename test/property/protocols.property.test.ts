/**
 * The broker protocol and the fan-out wire format under fast-check: every command a client or
 * a relay can encode decodes to itself, and any frames at all decode or fail with a coded error
 * (the broker and the relay answer such a peer and go on, which the broker and relay tests show).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBrokerMessage, decodeClientCommand, encodeBroker, encodeClient } from "../../lib/broker/protocol.js";
import { decodeFanout, encodeDeliver, encodeReport, ID_BYTES, RECIPIENT_STATUSES } from "../../lib/devices/fanout-wire.js";
import { codeOf, propertyRuns } from "../helpers/property.js";

const u32 = fc.integer({ min: 1, max: 0xffffffff });
const u53 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
/** Names as the broker accepts them: printable, no '@', short enough to leave room for ".dlq". */
const name = fc.string({ unit: fc.constantFrom(..."abcxyz019-_.éλ語"), minLength: 1, maxLength: 40 });
const body = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
const anyFrames = fc.array(
  fc.oneof(
    fc.constantFrom("HELLO", "PUT", "PUBLISH", "SUBSCRIBE", "CONSUME", "ACK", "NACK", "OK", "ERROR", "DELIVER", "PONG").map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
  ),
  { maxLength: 7 },
);

describe("broker protocol properties", () => {
  it("every client command decodes to what was encoded", () => {
    const command = fc.oneof(
      fc.tuple(u32, name, body).map(([r, q, b]) => ({ frames: encodeClient.put(r, q, b), want: { cmd: "PUT", reqId: r, queue: q, body: b } })),
      fc.tuple(u32, name, body).map(([r, t, b]) => ({ frames: encodeClient.publish(r, t, b), want: { cmd: "PUBLISH", reqId: r, topic: t, body: b } })),
      fc.tuple(u32, name, name).map(([r, t, s]) => ({ frames: encodeClient.subscribe(r, t, s), want: { cmd: "SUBSCRIBE", reqId: r, topic: t, subscription: s } })),
      fc.tuple(u32, u32, name, u32, fc.nat({ max: 0xffffffff })).map(([r, id, q, c, l]) => ({
        frames: encodeClient.consume(r, id, q, c, l),
        want: { cmd: "CONSUME", reqId: r, subId: id, queue: q, credit: c, leaseMs: l },
      })),
      fc.tuple(u32, u53).map(([r, t]) => ({ frames: encodeClient.ack(r, t), want: { cmd: "ACK", reqId: r, tag: t } })),
      fc.tuple(u32, u53, fc.constantFrom(null, "nack" as const, "decode-error" as const), fc.option(fc.string({ maxLength: 300 }).filter((e) => e.length > 0 && Buffer.byteLength(e) <= 1024), { nil: undefined })).map(([r, t, d, e]) => ({
        frames: encodeClient.nack(r, t, d, e),
        want: { cmd: "NACK", reqId: r, tag: t, deadLetter: d, error: e ?? null },
      })),
      fc.tuple(u32, u53, fc.nat({ max: 0xffffffff })).map(([r, t, l]) => ({ frames: encodeClient.extend(r, t, l), want: { cmd: "EXTEND", reqId: r, tag: t, leaseMs: l } })),
    );
    fc.assert(
      fc.property(command, ({ frames, want }) => {
        expect(decodeClientCommand(frames)).toEqual(want);
      }),
      propertyRuns(),
    );
  });

  it("every broker message decodes to what was encoded", () => {
    fc.assert(
      fc.property(u32, u53, u53, u32, body, (sub, tag, seq, attempt, b) => {
        expect(decodeBrokerMessage(encodeBroker.deliver(sub, tag, seq, attempt, b))).toEqual({ kind: "DELIVER", subId: sub, tag, seq, attempt, body: b });
      }),
      propertyRuns(0.3),
    );
  });

  it("any frames decode or fail with a coded error, on both sides", () => {
    fc.assert(
      fc.property(anyFrames, (frames) => {
        for (const decode of [decodeClientCommand, decodeBrokerMessage]) {
          try {
            decode(frames);
          } catch (err) {
            codeOf(err);
          }
        }
      }),
      propertyRuns(),
    );
  });
});

describe("fan-out wire properties", () => {
  const id = fc.uint8Array({ minLength: ID_BYTES, maxLength: ID_BYTES }).map((b) => Buffer.from(b));

  it("DELIVER and REPORT decode to what was encoded", () => {
    fc.assert(
      fc.property(id, fc.nat({ max: 0xffffffff }), fc.array(name, { minLength: 1, maxLength: 8 }), fc.array(body, { minLength: 1, maxLength: 4 }), (i, ttl, names, payload) => {
        expect(decodeFanout(encodeDeliver(i, ttl, names, payload))).toEqual({ kind: "deliver", id: i, ttlMs: ttl, names, payload });
      }),
      propertyRuns(),
    );
    fc.assert(
      fc.property(id, fc.array(fc.constantFrom(...RECIPIENT_STATUSES), { minLength: 1, maxLength: 20 }), (i, statuses) => {
        expect(decodeFanout(encodeReport(i, statuses))).toEqual({ kind: "report", id: i, statuses });
      }),
      propertyRuns(0.3),
    );
  });

  it("any frames decode or fail with EPROTO", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)), { maxLength: 5 }), (frames) => {
        try {
          decodeFanout(frames);
        } catch (err) {
          expect(codeOf(err)).toBe("EPROTO");
        }
      }),
      propertyRuns(),
    );
  });
});
