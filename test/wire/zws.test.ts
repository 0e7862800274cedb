import { describe, expect, it } from "vitest";
import {
  decodeZwsFrame,
  encodeZwsCommand,
  encodeZwsFrame,
  encodeZwsMessage,
  ZWS_COMMAND,
  ZWS_MORE,
  ZWS_SUBPROTOCOL,
  ZWS_TOKEN_SUBPROTOCOL,
  zwsHasHandshake,
  zwsOffer,
  zwsPayloadLimit,
  zwsSelect,
} from "../../lib/wire/zws.js";
import { expectProtocolError } from "../helpers/wire.js";

/** Plain bytes from hex, not a Buffer: the codec must work on a bare Uint8Array. */
function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

interface Vector {
  name: string;
  payload: Uint8Array;
  more: boolean;
  command: boolean;
  body: Uint8Array;
}

// Payloads of binary WebSocket messages captured from libzmq 4.3.5 (zeromq 6.8, ws://), except
// those marked "built", which follow RFC 45's layout.
const VECTORS: Vector[] = [
  {
    name: "READY REP, from a libzmq REP",
    payload: hex("02 05 52454144 59 0b 536f636b65742d54797065 00000003 524550"),
    more: false,
    command: true,
    body: hex("05 52454144 59 0b 536f636b65742d54797065 00000003 524550"),
  },
  { name: "empty delimiter with MORE, from a libzmq REP", payload: hex("01"), more: true, command: false, body: new Uint8Array(0) },
  { name: "last frame 'world', from a libzmq REP", payload: hex("00 776f726c64"), more: false, command: false, body: ascii("world") },
  { name: "3.0 subscription 'A' as data (built)", payload: hex("00 01 41"), more: false, command: false, body: hex("01 41") },
  { name: "PING command TTL 1.5 s (built)", payload: hex("02 04 50494e47 000f"), more: false, command: true, body: hex("04 50494e47 000f") },
];

describe("ZWS frames: golden payloads", () => {
  for (const v of VECTORS) {
    it(`decodes ${v.name}`, () => {
      const f = decodeZwsFrame(v.payload);
      expect({ more: f.more, command: f.command, body: toHex(f.body) }).toEqual({ more: v.more, command: v.command, body: toHex(v.body) });
    });
    it(`encodes ${v.name}`, () => {
      expect(toHex(encodeZwsFrame(v.body, v.more, v.command))).toBe(toHex(v.payload));
    });
    it(`round-trips ${v.name}`, () => {
      const f = decodeZwsFrame(encodeZwsFrame(v.body, v.more, v.command));
      expect([f.more, f.command, toHex(f.body)]).toEqual([v.more, v.command, toHex(v.body)]);
    });
  }

  it("encodes a command from its name and data as libzmq's READY", () => {
    const data = hex("0b 536f636b65742d54797065 00000003 524550");
    expect(toHex(encodeZwsCommand("READY", data))).toBe(toHex(VECTORS[0]!.payload));
  });

  it("encodes a multi-part message as one payload per part, MORE on all but the last", () => {
    const got = encodeZwsMessage([new Uint8Array(0), ascii("world")]);
    expect(got.map(toHex)).toEqual(["01", "00776f726c64"]);
    expect(encodeZwsMessage([ascii("x")]).map(toHex)).toEqual(["0078"]);
  });

  it("decodes a body as a view of the payload, without copying", () => {
    const payload = hex("00 616263");
    const f = decodeZwsFrame(payload);
    expect(f.body.buffer).toBe(payload.buffer);
    expect(f.body.byteOffset).toBe(payload.byteOffset + 1);
  });

  it("flag constants are RFC 45's", () => {
    expect([ZWS_MORE, ZWS_COMMAND]).toEqual([1, 2]);
  });
});

describe("ZWS frames: refused payloads", () => {
  it("refuses a message with no flags byte", () => {
    expectProtocolError(() => decodeZwsFrame(new Uint8Array(0)), "ZWS_MALFORMED_FRAME");
  });

  for (const flags of [0x04, 0x08, 0x80, 0xff]) {
    it(`refuses reserved flag bits 0x${flags.toString(16)}`, () => {
      expectProtocolError(() => decodeZwsFrame(Uint8Array.of(flags, 0x41)), "ZWS_MALFORMED_FRAME");
    });
  }

  it("refuses a command with MORE", () => {
    expectProtocolError(() => decodeZwsFrame(hex("03 04 50494e47")), "ZMTP_COMMAND_MORE");
  });

  it("refuses a data body over maxMessageSize and accepts one at it", () => {
    expect(decodeZwsFrame(hex("00 616263"), 3).body.length).toBe(3);
    expectProtocolError(() => decodeZwsFrame(hex("00 61626364"), 3), "ZMTP_MESSAGE_TOO_LARGE");
  });

  it("leaves commands to the payload limit (a CURVE box is larger than its message)", () => {
    expect(decodeZwsFrame(hex("02 04 50494e47 000f"), 1).command).toBe(true);
  });

  it("refuses a command name that does not fit its length byte or is not ASCII", () => {
    expectProtocolError(() => encodeZwsCommand(""), "ZMTP_MALFORMED_COMMAND");
    expectProtocolError(() => encodeZwsCommand("x".repeat(256)), "ZMTP_MALFORMED_COMMAND");
    expectProtocolError(() => encodeZwsCommand("RÉADY"), "ZMTP_MALFORMED_COMMAND");
  });
});

describe("ZWS subprotocols", () => {
  it("offers libzmq's names for each mechanism", () => {
    expect(zwsOffer("NULL")).toEqual(["ZWS2.0/NULL", "ZWS2.0"]);
    expect(zwsOffer("PLAIN")).toEqual(["ZWS2.0/PLAIN"]);
    expect(zwsOffer("CURVE")).toEqual(["ZWS2.0/CURVE"]);
  });

  it("selects the first offered name the mechanism speaks", () => {
    expect(zwsSelect(["ZWS2.0/NULL", "ZWS2.0"], "NULL")).toBe("ZWS2.0/NULL");
    expect(zwsSelect(["ZWS2.0", "ZWS2.0/NULL"], "NULL")).toBe("ZWS2.0");
    expect(zwsSelect([" chat", " ZWS2.0/PLAIN"], "PLAIN")).toBe("ZWS2.0/PLAIN");
    expect(zwsSelect(new Set(["ZWS2.0/CURVE"]), "CURVE")).toBe("ZWS2.0/CURVE");
  });

  it("selects nothing for a foreign or mismatched offer", () => {
    expect(zwsSelect(["chat"], "NULL")).toBeNull();
    expect(zwsSelect([], "NULL")).toBeNull();
    expect(zwsSelect(["ZWS2.0/PLAIN"], "NULL")).toBeNull();
    expect(zwsSelect(["ZWS2.0/NULL", "ZWS2.0"], "CURVE")).toBeNull();
    expect(zwsSelect(["zws2.0/null"], "NULL")).toBeNull();
  });

  it("runs a handshake under every subprotocol but bare ZWS2.0", () => {
    expect(zwsHasHandshake(ZWS_SUBPROTOCOL.BARE)).toBe(false);
    expect([ZWS_SUBPROTOCOL.NULL, ZWS_SUBPROTOCOL.PLAIN, ZWS_SUBPROTOCOL.CURVE].map(zwsHasHandshake)).toEqual([true, true, true]);
    expect(Object.values(ZWS_TOKEN_SUBPROTOCOL).map(zwsHasHandshake)).toEqual([true, true, true]);
  });

  it("bounds a payload by maxMessageSize, the flags byte and the slack", () => {
    expect(zwsPayloadLimit(-1, 100)).toBe(-1);
    expect(zwsPayloadLimit(10)).toBe(11);
    expect(zwsPayloadLimit(10, 33)).toBe(44);
  });
});

describe("ZWS subprotocols: the browser-safe spellings", () => {
  // RFC 7230 §3.2.6: token = 1*tchar, the grammar RFC 6455 §4.1 requires of a subprotocol.
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

  it("are HTTP tokens, where RFC 45's mechanism names are not", () => {
    expect(ZWS_TOKEN_SUBPROTOCOL).toEqual({ NULL: "ZWS2.0+NULL", PLAIN: "ZWS2.0+PLAIN", CURVE: "ZWS2.0+CURVE" });
    for (const name of Object.values(ZWS_TOKEN_SUBPROTOCOL)) expect(name).toMatch(TOKEN);
    for (const name of [ZWS_SUBPROTOCOL.NULL, ZWS_SUBPROTOCOL.PLAIN, ZWS_SUBPROTOCOL.CURVE]) expect(name).not.toMatch(TOKEN);
    expect(ZWS_SUBPROTOCOL.BARE).toMatch(TOKEN);
  });

  it("are what a page offers: the alias, and for NULL bare ZWS2.0 after it for libzmq", () => {
    expect(zwsOffer("NULL", true)).toEqual(["ZWS2.0+NULL", "ZWS2.0"]);
    expect(zwsOffer("PLAIN", true)).toEqual(["ZWS2.0+PLAIN"]);
    expect(zwsOffer("CURVE", true)).toEqual(["ZWS2.0+CURVE"]);
    for (const m of ["NULL", "PLAIN", "CURVE"] as const) for (const name of zwsOffer(m, true)) expect(name).toMatch(TOKEN);
  });

  it("are selected as offered, beside the RFC names, for the mechanism they spell only", () => {
    expect(zwsSelect(["ZWS2.0+CURVE"], "CURVE")).toBe("ZWS2.0+CURVE");
    expect(zwsSelect(["ZWS2.0+PLAIN"], "PLAIN")).toBe("ZWS2.0+PLAIN");
    expect(zwsSelect(["ZWS2.0+NULL", "ZWS2.0"], "NULL")).toBe("ZWS2.0+NULL");
    expect(zwsSelect(["ZWS2.0/CURVE", "ZWS2.0+CURVE"], "CURVE")).toBe("ZWS2.0/CURVE");
    expect(zwsSelect(["ZWS2.0+CURVE"], "PLAIN")).toBeNull();
    expect(zwsSelect(["ZWS2.0+PLAIN"], "NULL")).toBeNull();
    expect(zwsSelect(["ZWS2.0+NULL"], "CURVE")).toBeNull();
    expect(zwsSelect(["zws2.0+curve", "ZWS2.0 CURVE", "ZWS2.0-CURVE"], "CURVE")).toBeNull();
  });
});
