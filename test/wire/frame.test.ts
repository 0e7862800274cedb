import { afterEach, describe, expect, it, vi } from "vitest";
import { ProtocolError } from "../../lib/errors.js";
import {
  encodeFrame,
  encodeMessage,
  FLAG_COMMAND,
  FLAG_LONG,
  FLAG_MORE,
  FrameDecoder,
  headerSize,
  writeHeader,
} from "../../lib/wire/frame.js";
import { randomSplit, own } from "../helpers/random.js";
import { expectProtocolError } from "../helpers/wire.js";

// ---- helpers ----

function hex(...parts: string[]): Buffer {
  return Buffer.from(parts.join("").replace(/\s+/g, ""), "hex");
}

const bytewise = (b: Uint8Array): Buffer[] => Array.from(b, (x) => own(Uint8Array.of(x)));

interface Got {
  flags: number;
  body: Buffer;
}

/** Decodes all chunks with a fresh decoder; checks it ends idle. */
function decode(chunks: Buffer[], max = -1): Got[] {
  const d = new FrameDecoder(max);
  const got: Got[] = [];
  for (const c of chunks) d.push(c, { onFrame: (flags, body) => got.push({ flags, body }) });
  expect(d.idle).toBe(true);
  return got;
}

const show = (g: Got[]): Array<[number, string]> => g.map((f) => [f.flags, f.body.toString("hex")]);

/** Pushes chunks until one throws; returns the frames delivered before that. */
function pushAll(d: FrameDecoder, chunks: Buffer[], got: Got[] = []): Got[] {
  for (const c of chunks) d.push(c, { onFrame: (flags, body) => got.push({ flags, body }) });
  return got;
}

// ---- golden vectors ----

const BODY_256 = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const BODY_300 = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
const BODY_255 = Buffer.alloc(255, 0xab);

interface FrameVector {
  name: string;
  bytes: Buffer;
  flags: number; // as delivered (LONG stripped) and as passed to encodeFrame
  body: Buffer;
}

const FRAMES: FrameVector[] = [
  { name: "short last frame 'hello'", bytes: hex("00 05 68656c6c6f"), flags: 0, body: Buffer.from("hello") },
  { name: "empty frame", bytes: hex("00 00"), flags: 0, body: Buffer.alloc(0) },
  { name: "short frame with MORE", bytes: hex("01 03 616263"), flags: FLAG_MORE, body: Buffer.from("abc") },
  { name: "255-byte frame stays short", bytes: Buffer.concat([hex("00 ff"), BODY_255]), flags: 0, body: BODY_255 },
  {
    name: "256-byte frame uses the 8-byte big-endian size",
    bytes: Buffer.concat([hex("02 0000000000000100"), BODY_256]),
    flags: 0,
    body: BODY_256,
  },
  {
    name: "300-byte frame with MORE (long)",
    bytes: Buffer.concat([hex("03 000000000000012c"), BODY_300]),
    flags: FLAG_MORE,
    body: BODY_300,
  },
  {
    name: "command frame (PING, TTL 2 s)",
    bytes: hex("04 07 0450494e47 0014"),
    flags: FLAG_COMMAND,
    body: hex("0450494e47 0014"),
  },
  {
    name: "long command frame",
    bytes: Buffer.concat([hex("06 0000000000000100"), BODY_256]),
    flags: FLAG_COMMAND,
    body: BODY_256,
  },
];

const ALL_BYTES = Buffer.concat(FRAMES.map((f) => f.bytes));
const ALL_EXPECTED = FRAMES.map((f) => [f.flags, f.body.toString("hex")] as [number, string]);

describe("frame golden vectors", () => {
  for (const v of FRAMES) {
    describe(v.name, () => {
      it("encodes to the golden bytes", () => {
        expect(encodeFrame(v.flags, v.body).toString("hex")).toBe(v.bytes.toString("hex"));
        // A stray LONG flag from the caller must not corrupt a short header.
        expect(encodeFrame(v.flags | FLAG_LONG, v.body).toString("hex")).toBe(v.bytes.toString("hex"));
        expect(headerSize(v.body.length)).toBe(v.bytes.length - v.body.length);
      });

      it("decodes from the golden bytes", () => {
        expect(show(decode([Buffer.from(v.bytes)]))).toEqual([[v.flags, v.body.toString("hex")]]);
      });

      it("round-trips encode -> decode", () => {
        expect(show(decode([encodeFrame(v.flags, v.body)]))).toEqual([[v.flags, v.body.toString("hex")]]);
      });

      it("decodes when fed one byte at a time", () => {
        expect(show(decode(bytewise(v.bytes)))).toEqual([[v.flags, v.body.toString("hex")]]);
      });

      it("decodes from random splits", () => {
        for (let seed = 1; seed <= 20; seed++) {
          expect(show(decode(randomSplit(v.bytes, seed))), `seed ${seed}`).toEqual([
            [v.flags, v.body.toString("hex")],
          ]);
        }
      });
    });
  }

  it("decodes all vectors back to back: whole, byte by byte and in random splits", () => {
    expect(show(decode([ALL_BYTES]))).toEqual(ALL_EXPECTED);
    expect(show(decode(bytewise(ALL_BYTES)))).toEqual(ALL_EXPECTED);
    for (let seed = 100; seed < 140; seed++) {
      expect(show(decode(randomSplit(ALL_BYTES, seed, 400))), `seed ${seed}`).toEqual(ALL_EXPECTED);
    }
  });

  it("encodeMessage sets MORE on all frames but the last", () => {
    const bytes = encodeMessage([Buffer.from("abc"), Buffer.alloc(0), BODY_256]);
    expect(bytes.toString("hex")).toBe(
      Buffer.concat([hex("01 03 616263"), hex("01 00"), hex("02 0000000000000100"), BODY_256]).toString("hex"),
    );
    expect(encodeMessage([Buffer.from("hello")]).toString("hex")).toBe("000568656c6c6f");
    expect(encodeMessage([]).length).toBe(0);
  });

  it("writeHeader splits sizes above 2^32 into big-endian halves", () => {
    const h = Buffer.alloc(9);
    expect(writeHeader(h, 0, 0, 2 ** 32 + 5)).toBe(9);
    expect(h.toString("hex")).toBe("020000000100000005");
    expect(writeHeader(h, 0, FLAG_MORE, 2 ** 53 - 1)).toBe(9);
    expect(h.toString("hex")).toBe("03001fffffffffffff");
    const s = Buffer.alloc(4, 0xee);
    expect(writeHeader(s, 1, FLAG_COMMAND, 255)).toBe(3);
    expect(s.toString("hex")).toBe("ee04ffee");
  });

  it("accepts a long-form size for a small body (receivers must not insist on the short form)", () => {
    expect(show(decode([hex("02 0000000000000003 616263")]))).toEqual([[0, "616263"]]);
    expect(show(decode(bytewise(hex("02 0000000000000003 616263"))))).toEqual([[0, "616263"]]);
  });
});

describe("frame negative vectors", () => {
  it("rejects each reserved flag bit with ZMTP_RESERVED_FLAGS", () => {
    for (let bit = 3; bit < 8; bit++) {
      const bad = hex((1 << bit).toString(16).padStart(2, "0"), "01 61");
      expectProtocolError(() => decode([bad]), "ZMTP_RESERVED_FLAGS");
      // Also when it is the flags byte of a later frame, arriving alone.
      const d = new FrameDecoder();
      const got = pushAll(d, [hex("00 01 61")]);
      expect(got).toHaveLength(1);
      expectProtocolError(() => pushAll(d, [bad.subarray(0, 1)]), "ZMTP_RESERVED_FLAGS");
    }
  });

  it("rejects a command frame with MORE (ZMTP_COMMAND_MORE), short and long, whole and bytewise", () => {
    for (const bad of [hex("05 01 00"), Buffer.concat([hex("07 0000000000000100"), BODY_256])]) {
      expectProtocolError(() => decode([bad]), "ZMTP_COMMAND_MORE");
      expectProtocolError(() => decode(bytewise(bad)), "ZMTP_COMMAND_MORE");
    }
  });

  it("rejects a short frame over maxMessageSize as soon as its size byte arrives", () => {
    expect(show(decode([hex("00 0a"), Buffer.alloc(10, 1)], 10))).toEqual([[0, "01".repeat(10)]]);
    expectProtocolError(() => decode([hex("00 0b")], 10), "ZMTP_MESSAGE_TOO_LARGE");
    expectProtocolError(() => decode(bytewise(hex("01 0b")), 10), "ZMTP_MESSAGE_TOO_LARGE");
  });

  it("rejects a long frame over maxMessageSize from its header alone", () => {
    const header = hex("02 0000000000000401"); // 1025 bytes
    expect(show(decode([header, Buffer.alloc(1025)], 1025))[0]?.[1].length).toBe(2050);
    expectProtocolError(() => decode([header], 1024), "ZMTP_MESSAGE_TOO_LARGE");
    expectProtocolError(() => decode(bytewise(header), 1024), "ZMTP_MESSAGE_TOO_LARGE");
  });

  it("reads sizes above 2^32 correctly when refusing them", () => {
    const header = hex("02 0000000100000005");
    const e1 = expectProtocolError(() => decode([header], 1000), "ZMTP_MESSAGE_TOO_LARGE");
    expect(e1.message).toContain(String(2 ** 32 + 5));
    const e2 = expectProtocolError(() => decode(bytewise(header), 1000), "ZMTP_MESSAGE_TOO_LARGE");
    expect(e2.message).toContain(String(2 ** 32 + 5));
  });

  it("applies the limit to commands too (after their small envelope allowance)", () => {
    expectProtocolError(() => decode([hex("06 0000000000010000")], 100), "ZMTP_MESSAGE_TOO_LARGE");
    expectProtocolError(() => decode([hex("04 ff")], 100), "ZMTP_MESSAGE_TOO_LARGE");
  });

  it("rejects sizes of 2^53 and more even with no maxMessageSize", () => {
    for (const size of ["0020000000000000", "ffffffffffffffff", "8000000000000000"]) {
      const header = hex("02", size);
      expectProtocolError(() => decode([header]), "ZMTP_MESSAGE_TOO_LARGE");
      expectProtocolError(() => decode(bytewise(header)), "ZMTP_MESSAGE_TOO_LARGE");
    }
  });

  it("rejects a size no Buffer can hold with a ProtocolError, not a RangeError", () => {
    // 2^40 bytes: under 2^53 but above buffer.constants.MAX_LENGTH on every Node version we run.
    const header = hex("02 0000010000000000");
    expectProtocolError(() => decode([header]), "ZMTP_MESSAGE_TOO_LARGE");
    expectProtocolError(() => decode(bytewise(header)), "ZMTP_MESSAGE_TOO_LARGE");
    expectProtocolError(() => decode([header, Buffer.alloc(10)]), "ZMTP_MESSAGE_TOO_LARGE");
  });

  describe("too-large frames are refused before any body allocation", () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it("allocates nothing for an oversized long or short frame, whole or bytewise", () => {
      const allocUnsafe = vi.spyOn(Buffer, "allocUnsafe");
      const alloc = vi.spyOn(Buffer, "alloc");
      const allocUnsafeSlow = vi.spyOn(Buffer, "allocUnsafeSlow");
      const cases = [hex("02 0000000040000000"), hex("03 0000000000100001"), hex("00 81")];
      for (const header of cases) {
        for (const chunks of [[header], bytewise(header), [header.subarray(0, 3), header.subarray(3)]]) {
          expectProtocolError(() => decode(chunks, 128), "ZMTP_MESSAGE_TOO_LARGE");
        }
      }
      expect(allocUnsafe).not.toHaveBeenCalled();
      expect(alloc).not.toHaveBeenCalled();
      expect(allocUnsafeSlow).not.toHaveBeenCalled();
    });

    it("the spy does see the allocation of an allowed split frame (the check above can fail)", () => {
      const allocUnsafe = vi.spyOn(Buffer, "allocUnsafe");
      const bytes = Buffer.concat([hex("02 0000000000000100"), BODY_256]);
      expect(show(decode([bytes.subarray(0, 20), bytes.subarray(20)], 1000))).toEqual([
        [0, BODY_256.toString("hex")],
      ]);
      expect(allocUnsafe).toHaveBeenCalledWith(256);
    });
  });
});

describe("zero-copy delivery", () => {
  it("delivers frames wholly inside one chunk as views of that chunk (an empty one as the shared empty frame)", () => {
    const chunk = own(ALL_BYTES); // its own ArrayBuffer, not the shared pool
    const got = decode([chunk]);
    expect(got).toHaveLength(FRAMES.length);
    let at = 0;
    for (let i = 0; i < got.length; i++) {
      const f = FRAMES[i]!;
      at += f.bytes.length - f.body.length;
      if (f.body.length === 0) {
        expect(got[i]!.body.length, f.name).toBe(0);
        continue;
      }
      expect(got[i]!.body.buffer, f.name).toBe(chunk.buffer);
      expect(got[i]!.body.byteOffset, f.name).toBe(chunk.byteOffset + at);
      at += f.body.length;
    }
  });

  // The delimiter of every REQ/REP/ROUTER envelope: a view per message was one more object made
  // and collected per message.
  it("gives every empty frame, whole in a chunk or split from its header, as one shared empty buffer", () => {
    const [a] = decode([own(hex("00 00"))]);
    const [b] = decode([own(hex("01 00 00 03 616263"))]);
    const [c] = decode([own(hex("00")), own(hex("00"))]);
    expect(a!.body.length).toBe(0);
    expect(b!.body).toBe(a!.body);
    expect(c!.body).toBe(a!.body);
  });

  it("still shares the buffer when the chunk is a view into a larger ArrayBuffer", () => {
    const backing = new ArrayBuffer(1000);
    const chunk = Buffer.from(backing, 100, 7);
    hex("00 05 68656c6c6f").copy(chunk);
    const [frame] = decode([chunk]);
    expect(frame!.body.buffer).toBe(backing);
    expect(frame!.body.byteOffset).toBe(102);
    expect(frame!.body.toString()).toBe("hello");
  });

  it("resumes zero-copy after a split frame", () => {
    const first = own(hex("00 05 6865")); // split: 'he' | 'llo'
    const second = own(hex("6c6c6f 01 03 616263 00 00"));
    const got = decode([first, second]);
    expect(show(got)).toEqual([[0, "68656c6c6f"], [1, "616263"], [0, ""]]);
    expect(got[1]!.body.buffer).toBe(second.buffer);
  });

  it("delivers a frame split across chunks whole, correct and detached from the chunks", () => {
    const bytes = Buffer.concat([hex("02 000000000000012c"), BODY_300]);
    for (const cut of [1, 5, 9, 10, 150, bytes.length - 1]) {
      const a = own(bytes.subarray(0, cut));
      const b = own(bytes.subarray(cut));
      const [frame, ...rest] = decode([a, b]);
      expect(rest).toEqual([]);
      expect(frame!.flags).toBe(0);
      expect(frame!.body.equals(BODY_300), `cut ${cut}`).toBe(true);
      if (cut > 9) {
        // Body bytes came from both chunks: it must be a gathered copy, not a view of either.
        expect(frame!.body.buffer).not.toBe(a.buffer);
        expect(frame!.body.buffer).not.toBe(b.buffer);
        a.fill(0);
        b.fill(0);
        expect(frame!.body.equals(BODY_300), `cut ${cut} after reuse`).toBe(true);
      }
    }
  });

  it("decodes from an offset into the first chunk", () => {
    const chunk = Buffer.concat([Buffer.alloc(64, 0xff), hex("01 01 61 00 01 62")]);
    const d = new FrameDecoder();
    const got: Got[] = [];
    d.push(chunk, { onFrame: (flags, body) => got.push({ flags, body }) }, 64);
    expect(show(got)).toEqual([[1, "61"], [0, "62"]]);
  });
});
