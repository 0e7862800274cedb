import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../lib/errors.js";
import { encodeGreeting, GREETING_SIZE, GreetingParser, type Greeting } from "../../lib/wire/greeting.js";
import { randomSplit, own } from "../helpers/random.js";
import { expectProtocolError } from "../helpers/wire.js";

// ---- helpers (kept local: only test/wire-*.test.ts files exist in this suite) ----

/** Hex with any whitespace allowed, for readable golden vectors. */
function hex(...parts: string[]): Buffer {
  return Buffer.from(parts.join("").replace(/\s+/g, ""), "hex");
}
const zeros = (n: number): string => "00".repeat(n);

function parseChunks(chunks: Uint8Array[]): Greeting | null {
  const p = new GreetingParser();
  let used = 0;
  for (const c of chunks) used += p.feed(c);
  expect(used).toBe(GREETING_SIZE);
  return p.result;
}

// ---- golden vectors ----
// Signature FF, 8 padding bytes (libzmq sends 00…01: a ZMTP/1.0 length of 1), 7F.
const SIGNATURE = "ff 00 00 00 00 00 00 00 01 7f";

interface GreetingVector {
  name: string;
  bytes: Buffer;
  encode: () => Buffer;
  decoded: Greeting;
}

const VECTORS: GreetingVector[] = [
  {
    name: "NULL client, ZMTP 3.1",
    bytes: hex(SIGNATURE, "03 01", "4e554c4c", zeros(16), "00", zeros(31)),
    encode: () => encodeGreeting("NULL", false),
    decoded: { major: 3, minor: 1, mechanism: "NULL", asServer: false },
  },
  {
    name: "PLAIN server, ZMTP 3.1",
    bytes: hex(SIGNATURE, "03 01", "504c41494e", zeros(15), "01", zeros(31)),
    encode: () => encodeGreeting("PLAIN", true),
    decoded: { major: 3, minor: 1, mechanism: "PLAIN", asServer: true },
  },
  {
    name: "CURVE client, ZMTP 3.1",
    bytes: hex(SIGNATURE, "03 01", "4355525645", zeros(15), "00", zeros(31)),
    encode: () => encodeGreeting("CURVE", false),
    decoded: { major: 3, minor: 1, mechanism: "CURVE", asServer: false },
  },
  {
    name: "CURVE server, ZMTP 3.1",
    bytes: hex(SIGNATURE, "03 01", "4355525645", zeros(15), "01", zeros(31)),
    encode: () => encodeGreeting("CURVE", true),
    decoded: { major: 3, minor: 1, mechanism: "CURVE", asServer: true },
  },
  {
    name: "NULL client, ZMTP 3.0 (minor 0)",
    bytes: hex(SIGNATURE, "03 00", "4e554c4c", zeros(16), "00", zeros(31)),
    encode: () => encodeGreeting("NULL", false, 0),
    decoded: { major: 3, minor: 0, mechanism: "NULL", asServer: false },
  },
];

describe("greeting golden vectors", () => {
  it("every vector is exactly 64 bytes", () => {
    for (const v of VECTORS) expect(v.bytes.length, v.name).toBe(GREETING_SIZE);
  });

  for (const v of VECTORS) {
    describe(v.name, () => {
      it("encodes to the golden bytes", () => {
        expect(v.encode().toString("hex")).toBe(v.bytes.toString("hex"));
      });

      it("decodes from the golden bytes in one chunk", () => {
        const p = new GreetingParser();
        expect(p.done).toBe(false);
        expect(p.feed(v.bytes)).toBe(64);
        expect(p.done).toBe(true);
        expect(p.result).toEqual(v.decoded);
      });

      it("round-trips encode -> parse", () => {
        expect(parseChunks([v.encode()])).toEqual(v.decoded);
      });

      it("decodes when fed one byte at a time, finishing only on byte 64", () => {
        const p = new GreetingParser();
        for (let i = 0; i < v.bytes.length; i++) {
          expect(p.done).toBe(false);
          expect(p.feed(v.bytes.subarray(i, i + 1))).toBe(1);
        }
        expect(p.result).toEqual(v.decoded);
      });

      it("decodes from random splits", () => {
        for (let seed = 1; seed <= 25; seed++) {
          expect(parseChunks(randomSplit(v.bytes, seed, 20)), `seed ${seed}`).toEqual(v.decoded);
        }
      });
    });
  }
});

describe("greeting parser boundaries", () => {
  it("consumes only the 64 greeting bytes when more data follows in the same chunk", () => {
    const ready = hex("04 19 05 5245414459 0b 536f636b65742d54797065 00000003 535542");
    const chunk = Buffer.concat([Buffer.alloc(5, 0xaa), VECTORS[0]!.bytes, ready]);
    const p = new GreetingParser();
    expect(p.feed(chunk, 5)).toBe(64);
    expect(p.result).toEqual(VECTORS[0]!.decoded);
    // Once done it takes nothing more.
    expect(p.feed(chunk, 69)).toBe(0);
  });

  it("honours the offset on a partial feed and resumes in the next chunk", () => {
    const g = VECTORS[1]!.bytes;
    const first = Buffer.concat([Buffer.from([1, 2, 3]), g.subarray(0, 30)]);
    const p = new GreetingParser();
    expect(p.feed(first, 3)).toBe(30);
    expect(p.done).toBe(false);
    expect(p.feed(Buffer.concat([g.subarray(30), Buffer.from([0xee])]))).toBe(34);
    expect(p.result).toEqual(VECTORS[1]!.decoded);
  });

  it("accepts any signature padding and a higher major version", () => {
    const g = Buffer.from(VECTORS[0]!.bytes);
    g.fill(0x5a, 1, 9);
    g[10] = 4;
    g[11] = 7;
    expect(parseChunks([g])).toEqual({ major: 4, minor: 7, mechanism: "NULL", asServer: false });
  });

  it("reads a mechanism name that fills all 20 bytes", () => {
    const name = "ABCDEFGHIJKLMNOPQRST";
    const g = encodeGreeting(name, false);
    expect(g.subarray(12, 32).toString("ascii")).toBe(name);
    expect(g[32]).toBe(0);
    expect(parseChunks([g])?.mechanism).toBe(name);
  });

  it("refuses to encode a mechanism name over 20 bytes", () => {
    expect(() => encodeGreeting("X".repeat(21), false)).toThrow(RangeError);
  });
});

describe("greeting negative vectors", () => {
  const good = VECTORS[0]!.bytes;

  it("rejects signature byte 0 other than 0xFF as soon as it arrives", () => {
    for (const b0 of [0x00, 0x01, 0x7f, 0xfe]) {
      const p = new GreetingParser();
      const err = expectProtocolError(() => p.feed(Buffer.from([b0])), "ZMTP_BAD_SIGNATURE");
      expect(err.name).toBe("ProtocolError");
      expect(p.done).toBe(false);
    }
    // Also when it comes inside a full 64-byte chunk (e.g. an HTTP request).
    const http = Buffer.alloc(64, 0x20);
    http.write("GET / HTTP/1.1\r\n", 0, "ascii");
    expectProtocolError(() => new GreetingParser().feed(http), "ZMTP_BAD_SIGNATURE");
  });

  it("rejects signature byte 9 without bit 0, only when byte 9 arrives", () => {
    for (const b9 of [0x00, 0x7e, 0xfe]) {
      const bad = Buffer.from(good);
      bad[9] = b9;
      const p = new GreetingParser();
      expect(p.feed(bad.subarray(0, 9))).toBe(9); // bytes 0–8 are fine
      expectProtocolError(() => p.feed(bad.subarray(9, 10)), "ZMTP_BAD_SIGNATURE");
      expectProtocolError(() => new GreetingParser().feed(bad), "ZMTP_BAD_SIGNATURE");
    }
  });

  it("rejects major version 2 (and 1, 0) when byte 10 arrives", () => {
    for (const major of [0, 1, 2]) {
      const bad = Buffer.from(good);
      bad[10] = major;
      const p = new GreetingParser();
      expect(p.feed(bad.subarray(0, 10))).toBe(10);
      const err = expectProtocolError(() => p.feed(bad.subarray(10, 11)), "ZMTP_BAD_VERSION");
      expect(err.message).toContain(String(major));
      expectProtocolError(() => new GreetingParser().feed(bad), "ZMTP_BAD_VERSION");
    }
  });

  it("rejects each bad vector with its own code under random splits", () => {
    const cases: Array<[number, number, string]> = [
      [0, 0x00, "ZMTP_BAD_SIGNATURE"],
      [9, 0x7e, "ZMTP_BAD_SIGNATURE"],
      [10, 0x02, "ZMTP_BAD_VERSION"],
    ];
    for (const [at, value, code] of cases) {
      const bad = Buffer.from(good);
      bad[at] = value;
      for (let seed = 1; seed <= 10; seed++) {
        const p = new GreetingParser();
        expectProtocolError(() => {
          for (const c of randomSplit(bad, seed, 20)) p.feed(c);
        }, code);
      }
    }
  });
});

describe("the mechanism field", () => {
  it("keeps bytes after the zero padding, so NULL\\0JUNK is no mechanism wiremq knows", () => {
    const g = encodeGreeting("NULL", false);
    g.write("\0JUNK", 16, "latin1");
    const parser = new GreetingParser();
    parser.feed(g);
    expect(parser.result?.mechanism).toBe("NULL\0JUNK");
  });
});
