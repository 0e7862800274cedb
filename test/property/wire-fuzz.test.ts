/**
 * Small deterministic fuzzing of the wire layer: seeded PRNG, bounded iterations.
 * Each phase runs under a vm timeout so a decoder stuck in a synchronous loop fails the test
 * (a plain vitest timeout cannot interrupt synchronous code).
 */
import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../lib/errors.js";
import { parseCommand, parseError, parseMetadata, parsePing } from "../../lib/wire/command.js";
import { encodeFrame, encodeMessage, FLAG_COMMAND, FLAG_MORE, FrameDecoder } from "../../lib/wire/frame.js";
import { GreetingParser } from "../../lib/wire/greeting.js";
import { rng, own, type Rng, int, randomBytes } from "../helpers/random.js";

/** Body sizes weighted towards the edges: empty, tiny, around the 255/256 switch, larger. */
function randomBody(r: Rng): Buffer {
  const k = r();
  if (k < 0.1) return Buffer.alloc(0);
  if (k < 0.55) return randomBytes(r, 1 + int(r, 16));
  if (k < 0.8) return randomBytes(r, 250 + int(r, 12));
  if (k < 0.98) return randomBytes(r, 300 + int(r, 3000));
  return randomBytes(r, 65_536 + int(r, 10_000));
}

/** Cuts `bytes` into fresh chunks at random points (sometimes byte by byte). */
function randomChunks(r: Rng, bytes: Uint8Array): Buffer[] {
  if (bytes.length < 200 && r() < 0.15) return Array.from(bytes, (x) => own(Uint8Array.of(x)));
  const cuts = new Set<number>();
  const n = int(r, 30);
  for (let i = 0; i < n; i++) cuts.add(int(r, bytes.length + 1));
  const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const out: Buffer[] = [];
  for (let i = 1; i < points.length; i++) {
    if (points[i]! > points[i - 1]!) out.push(own(bytes.subarray(points[i - 1], points[i])));
  }
  return out;
}

/** Runs `fn` synchronously but aborts it (throws) if it runs longer than `ms`. */
function withinMs<T>(ms: number, fn: () => T): T {
  return vm.runInNewContext("fn()", { fn }, { timeout: ms }) as T;
}

/** Calls fn; anything thrown must be a ProtocolError. Returns the error code, or null. */
function onlyProtocolErrors(fn: () => void, input: () => string): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!(e instanceof ProtocolError)) {
      throw new Error(`non-ProtocolError ${String(e)} for input ${input()}`, { cause: e });
    }
    expect(e.code).toMatch(/^ZMTP_[A-Z_]+$/);
    return e.code;
  }
}

describe("wire fuzz (seeded, deterministic)", () => {
  it("random valid messages: encode, concatenate, split randomly, decode back identically", () => {
    const r = rng(0x5eed0001);
    let frames = 0;
    withinMs(3000, () => {
      for (let iter = 0; iter < 150; iter++) {
        const expected: Array<{ flags: number; body: Buffer }> = [];
        const parts: Buffer[] = [];
        const messages = 1 + int(r, 8);
        for (let m = 0; m < messages; m++) {
          if (r() < 0.2) {
            const body = randomBody(r);
            parts.push(encodeFrame(FLAG_COMMAND, body));
            expected.push({ flags: FLAG_COMMAND, body });
          } else {
            const msg = Array.from({ length: 1 + int(r, 4) }, () => randomBody(r));
            parts.push(encodeMessage(msg));
            msg.forEach((body, i) => expected.push({ flags: i < msg.length - 1 ? FLAG_MORE : 0, body }));
          }
        }
        const stream = Buffer.concat(parts);
        const largest = Math.max(...expected.map((f) => f.body.length));
        const d = new FrameDecoder(r() < 0.5 ? -1 : largest); // a limit equal to the largest frame passes
        const got: Array<{ flags: number; body: Buffer }> = [];
        for (const c of randomChunks(r, stream)) {
          d.push(c, { onFrame: (flags, body) => got.push({ flags, body: Buffer.from(body) }) });
        }
        expect(d.idle, `iteration ${iter}`).toBe(true);
        expect(got.length, `iteration ${iter}`).toBe(expected.length);
        for (let i = 0; i < got.length; i++) {
          expect(got[i]!.flags, `iteration ${iter} frame ${i}`).toBe(expected[i]!.flags);
          expect(got[i]!.body.equals(expected[i]!.body), `iteration ${iter} frame ${i}`).toBe(true);
        }
        // Re-encoding what we decoded gives back the very same byte stream.
        expect(Buffer.concat(got.map((f) => encodeFrame(f.flags, f.body))).equals(stream)).toBe(true);
        frames += got.length;
      }
    });
    expect(frames).toBeGreaterThan(500);
  });

  it("random garbage: frames or a ProtocolError, never another error, never stuck", () => {
    const r = rng(0x5eed0002);
    const codes = new Map<string, number>();
    withinMs(3000, () => {
      for (let iter = 0; iter < 4000; iter++) {
        // Half pure noise; half plausible headers (valid flag bits, sizes biased to 0x00/0xff)
        // so the long-size and limit paths are reached often.
        let input: Buffer;
        if (iter % 2 === 0) {
          input = randomBytes(r, int(r, 80));
        } else {
          const parts: number[] = [];
          for (let f = int(r, 5); f >= 0; f--) {
            const flags = r() < 0.9 ? int(r, 8) : int(r, 256);
            parts.push(flags);
            const sizeBytes = flags & 2 ? 8 : 1;
            for (let s = 0; s < sizeBytes; s++) parts.push(r() < 0.6 ? 0 : r() < 0.5 ? 0xff : int(r, 256));
            for (let n = int(r, 40); n > 0; n--) parts.push(int(r, 256));
          }
          input = Buffer.from(parts);
        }
        const max = [-1, 0, 10, 300, 70_000][int(r, 5)]!;
        const d = new FrameDecoder(max);
        let delivered = 0;
        let bytesInFrames = 0;
        const code = onlyProtocolErrors(
          () => {
            for (const c of randomChunks(r, input)) {
              d.push(c, {
                onFrame: (_flags, body) => {
                  delivered++;
                  bytesInFrames += body.length;
                  if (max >= 0) expect(body.length).toBeLessThanOrEqual(max + 64);
                },
              });
            }
          },
          () => `${input.toString("hex")} (max ${max})`,
        );
        if (code) codes.set(code, (codes.get(code) ?? 0) + 1);
        // Every frame costs at least its 2-byte header: no frames out of thin air.
        expect(delivered * 2 + bytesInFrames).toBeLessThanOrEqual(input.length);
      }
    });
    // The corpus really exercises the rejections (so this test can see a wrong error type).
    for (const code of ["ZMTP_RESERVED_FLAGS", "ZMTP_COMMAND_MORE", "ZMTP_MESSAGE_TOO_LARGE"]) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(20);
    }
  });

  it("mutated valid streams: frames or a ProtocolError, never another error", () => {
    const r = rng(0x5eed0003);
    withinMs(3000, () => {
      for (let iter = 0; iter < 600; iter++) {
        const msg = Array.from({ length: 1 + int(r, 3) }, () => (r() < 0.8 ? randomBytes(r, int(r, 20)) : randomBody(r)));
        const stream = Buffer.from(encodeMessage(msg));
        for (let k = 1 + int(r, 3); k > 0; k--) stream[int(r, stream.length)] = int(r, 256);
        const d = new FrameDecoder([-1, 100][int(r, 2)]);
        onlyProtocolErrors(
          () => {
            for (const c of randomChunks(r, stream)) d.push(c, { onFrame: () => {} });
          },
          () => stream.toString("hex").slice(0, 200),
        );
      }
    });
  });

  it("garbage greetings: a result or a ProtocolError", () => {
    const r = rng(0x5eed0004);
    let accepted = 0;
    withinMs(2000, () => {
      for (let iter = 0; iter < 2000; iter++) {
        const g = randomBytes(r, 64);
        // Mostly keep a valid-looking prefix so the later checks are reached too.
        if (r() < 0.8) g[0] = 0xff;
        if (r() < 0.8) g[9] |= 1;
        if (r() < 0.5) g[10] = 3 + int(r, 2);
        const p = new GreetingParser();
        const code = onlyProtocolErrors(
          () => {
            for (const c of randomChunks(r, g)) p.feed(c);
          },
          () => g.toString("hex"),
        );
        if (code === null) {
          accepted++;
          expect(p.result!.major).toBeGreaterThanOrEqual(3);
          expect(p.result!.mechanism.length).toBeLessThanOrEqual(20);
        }
      }
    });
    expect(accepted).toBeGreaterThan(100);
  });

  it("garbage command bodies: parsers return or throw a ProtocolError", () => {
    const r = rng(0x5eed0005);
    withinMs(2000, () => {
      for (let iter = 0; iter < 3000; iter++) {
        const body = randomBytes(r, int(r, 40));
        if (body.length > 0 && r() < 0.5) body[0] = int(r, Math.min(body.length + 2, 12));
        const show = (): string => body.toString("hex");
        onlyProtocolErrors(() => parseCommand(body), show);
        onlyProtocolErrors(() => parseMetadata(body), show);
        onlyProtocolErrors(() => parseError(body), show);
        onlyProtocolErrors(() => parsePing(body), show);
      }
    });
  });

  it("the vm guard really stops a stuck loop (so the guard above can fail)", () => {
    expect(() =>
      withinMs(50, () => {
        for (;;) {
          /* spin */
        }
      }),
    ).toThrow(/timed out/);
  });
});
