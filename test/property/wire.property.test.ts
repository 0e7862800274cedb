/**
 * Properties of the wire layer, over inputs fast-check makes: any message framed and cut into
 * any chunks decodes to itself; any bytes at all give frames or a coded ProtocolError, nothing
 * else; greetings and commands the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../lib/errors.js";
import { parseCommand, parseMetadata, parsePing } from "../../lib/wire/command.js";
import { encodeMessage, FLAG_COMMAND, FLAG_MORE, FrameDecoder } from "../../lib/wire/frame.js";
import { encodeGreeting, GreetingParser } from "../../lib/wire/greeting.js";
import { codeOf, propertyRuns } from "../helpers/property.js";

const frameBody = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 250, maxLength: 5000 }) },
);
const message = fc.array(frameBody, { minLength: 1, maxLength: 6 });

/** Cuts `bytes` at the given points (sorted, deduplicated, inside the buffer). */
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

describe("wire properties", () => {
  it("a stream of messages cut into any chunks decodes to the same frames and flags", () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 12 }), (messages, points) => {
        const stream = Buffer.concat(messages.map((m) => encodeMessage(m.map((f) => Buffer.from(f)))));
        const got: Array<{ flags: number; body: string }> = [];
        const decoder = new FrameDecoder();
        for (const chunk of cut(stream, points)) {
          decoder.push(chunk, { onFrame: (flags, body) => void got.push({ flags, body: Buffer.from(body).toString("hex") }) });
        }
        const want = messages.flatMap((m) => m.map((f, i) => ({ flags: i < m.length - 1 ? FLAG_MORE : 0, body: Buffer.from(f).toString("hex") })));
        expect(got).toEqual(want);
      }),
      propertyRuns(),
    );
  });

  it("any bytes give frames or a coded ProtocolError, within maxMessageSize", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: -1, max: 512 }), (bytes, points, max) => {
        const decoder = new FrameDecoder(max);
        try {
          for (const chunk of cut(Buffer.from(bytes), points)) {
            decoder.push(chunk, {
              onFrame: (flags, body) => {
                if (max >= 0 && (flags & FLAG_COMMAND) === 0) expect(body.length).toBeLessThanOrEqual(max);
              },
            });
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
          codeOf(err);
        }
      }),
      propertyRuns(),
    );
  });

  it("a greeting parser takes its own greetings and refuses anything else with a code", () => {
    const mechanism = fc.constantFrom("NULL", "PLAIN", "CURVE");
    fc.assert(
      fc.property(mechanism, fc.boolean(), fc.array(fc.nat(), { maxLength: 4 }), (name, asServer, points) => {
        const parser = new GreetingParser();
        for (const chunk of cut(encodeGreeting(name, asServer), points)) parser.feed(chunk);
        expect(parser.result).toMatchObject({ major: 3, mechanism: name, asServer });
      }),
      propertyRuns(0.3),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), (bytes) => {
        try {
          new GreetingParser().feed(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
          codeOf(err);
        }
      }),
      propertyRuns(),
    );
  });

  it("command, metadata and PING parsers give a value or a coded ProtocolError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const body = Buffer.from(bytes);
        for (const parse of [() => parseCommand(body), () => parseMetadata(body), () => parsePing(body)]) {
          try {
            parse();
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError);
            codeOf(err);
          }
        }
      }),
      propertyRuns(),
    );
  });
});
