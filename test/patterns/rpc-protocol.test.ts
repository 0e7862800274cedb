/** The RPC wire format's CALL frame (version 2), as golden bytes: encode, decode, refuse. */
import { describe, expect, it } from "vitest";
import { callFrame, header, Kind, parseCallFrame, parseHeader } from "../../patterns/rpc/protocol.js";

// flags 01 (idempotent), attempt 0003, 1500 ms left (000005dc), call id "ab.7"
const GOLDEN = "010003000005dc61622e37";

describe("rpc protocol v2", () => {
  it("encodes and decodes the CALL frame", () => {
    expect(callFrame(Buffer.from("ab.7"), 3, 1500, true).toString("hex")).toBe(GOLDEN);
    expect(parseCallFrame(Buffer.from(GOLDEN, "hex"))).toEqual({ callId: "ab.7", idempotent: true, attempt: 3, timeLeft: 1500 });
    expect(parseCallFrame(callFrame(Buffer.from("x"), 1, 0))).toEqual({ callId: "x", idempotent: false, attempt: 1, timeLeft: 0 });
  });

  it("holds a time left beyond uint32 at its largest value, and rounds fractions up", () => {
    expect(parseCallFrame(callFrame(Buffer.from("x"), 1, 2 ** 40))?.timeLeft).toBe(0xffffffff);
    expect(parseCallFrame(callFrame(Buffer.from("x"), 1, 0.2))?.timeLeft).toBe(1);
  });

  it("refuses a CALL frame without a call id, with attempt 0, unknown flags, or a call id that is not UTF-8", () => {
    expect(parseCallFrame(Buffer.from("010001000005dc", "hex"))).toBeNull();
    expect(parseCallFrame(Buffer.from("010000000005dc61", "hex"))).toBeNull();
    expect(parseCallFrame(Buffer.from("020001000005dc61", "hex"))).toBeNull();
    expect(parseCallFrame(Buffer.from("000001000005dcff", "hex"))).toBeNull();
    expect(parseCallFrame(Buffer.concat([Buffer.from("000001000005dc", "hex"), Buffer.alloc(256, 0x61)]))).toBeNull();
  });

  it("numbers REQUEST 7 and CANCEL 8, and still reads kind 1 (version 1's REQUEST) as a header", () => {
    expect(header(Kind.Request, 5).toString("hex")).toBe("570700000005");
    expect(header(Kind.Cancel, 5).toString("hex")).toBe("570800000005");
    expect(parseHeader(Buffer.from("570100000009", "hex"))).toEqual({ kind: 1, id: 9 });
    expect(parseHeader(Buffer.from("570900000009", "hex"))).toBeNull();
  });
});
