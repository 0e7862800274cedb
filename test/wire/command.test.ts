import { describe, expect, it } from "vitest";
import {
  encodeCancel,
  encodeCommand,
  encodeError,
  encodeMetadata,
  encodePing,
  encodePong,
  encodeReady,
  encodeSubscribe,
  isCommand,
  parseCommand,
  parseError,
  parseMetadata,
  parsePing,
} from "../../lib/wire/command.js";
import { encodeFrame, FLAG_COMMAND, FrameDecoder } from "../../lib/wire/frame.js";
import { randomSplit, own } from "../helpers/random.js";
import { expectProtocolError } from "../helpers/wire.js";

// ---- helpers ----

function hex(...parts: string[]): Buffer {
  return Buffer.from(parts.join("").replace(/\s+/g, ""), "hex");
}

const bytewise = (b: Uint8Array): Buffer[] => Array.from(b, (x) => own(Uint8Array.of(x)));

/** Runs the chunks through a FrameDecoder; returns the command bodies (asserting COMMAND flags). */
function commandBodies(chunks: Buffer[]): Buffer[] {
  const d = new FrameDecoder();
  const out: Buffer[] = [];
  for (const c of chunks) {
    d.push(c, {
      onFrame: (flags, body) => {
        expect(flags).toBe(FLAG_COMMAND);
        out.push(body);
      },
    });
  }
  expect(d.idle).toBe(true);
  return out;
}

/** A plain-data view of a command body, using the parser for its name. */
function interpret(body: Buffer): Record<string, unknown> {
  const { name, data } = parseCommand(body);
  switch (name) {
    case "READY":
      return { name, props: Object.fromEntries([...parseMetadata(data)].map(([k, v]) => [k, v.toString()])) };
    case "ERROR":
      return { name, reason: parseError(data) };
    case "PING": {
      const { ttl, context } = parsePing(data);
      return { name, ttl, context: context.toString("hex") };
    }
    default:
      return { name, data: data.toString("hex") };
  }
}

const b = (s: string): Buffer => Buffer.from(s, "ascii");

// ---- golden vectors (whole frames; those marked libzmq were captured from libzmq 4.3.5) ----

const READY = "05 5245414459";
const SOCKET_TYPE = "0b 536f636b65742d54797065";
const IDENTITY = "08 4964656e74697479";

interface CommandVector {
  name: string;
  frame: Buffer;
  encode: () => Buffer;
  decoded: Record<string, unknown>;
}

const COMMANDS: CommandVector[] = [
  {
    name: "READY Socket-Type DEALER, Identity 'abc' (libzmq)",
    frame: hex("04 2c", READY, SOCKET_TYPE, "00000006 4445414c4552", IDENTITY, "00000003 616263"),
    encode: () => encodeReady([["Socket-Type", b("DEALER")], ["Identity", b("abc")]]),
    decoded: { name: "READY", props: { "socket-type": "DEALER", identity: "abc" } },
  },
  {
    name: "READY Socket-Type REQ, empty Identity (libzmq)",
    frame: hex("04 26", READY, SOCKET_TYPE, "00000003 524551", IDENTITY, "00000000"),
    encode: () => encodeReady([["Socket-Type", b("REQ")], ["Identity", Buffer.alloc(0)]]),
    decoded: { name: "READY", props: { "socket-type": "REQ", identity: "" } },
  },
  {
    name: "READY Socket-Type PUSH, no Identity (libzmq)",
    frame: hex("04 1a", READY, SOCKET_TYPE, "00000004 50555348"),
    encode: () => encodeReady([["Socket-Type", b("PUSH")]]),
    decoded: { name: "READY", props: { "socket-type": "PUSH" } },
  },
  {
    name: "ERROR 'Access denied'",
    frame: hex("04 14 05 4552524f52 0d 4163636573732064656e696564"),
    encode: () => encodeError("Access denied"),
    decoded: { name: "ERROR", reason: "Access denied" },
  },
  {
    name: "PING TTL 10 s with context 'ctx1'",
    frame: hex("04 0b 04 50494e47 0064 63747831"),
    encode: () => encodePing(100, b("ctx1")),
    decoded: { name: "PING", ttl: 100, context: "63747831" },
  },
  {
    name: "PING TTL 2 s, no context (libzmq heartbeat)",
    frame: hex("04 07 04 50494e47 0014"),
    encode: () => encodePing(20),
    decoded: { name: "PING", ttl: 20, context: "" },
  },
  {
    name: "PING with a 16-byte context",
    frame: hex("04 17 04 50494e47 ffff", "000102030405060708090a0b0c0d0e0f"),
    encode: () => encodePing(0xffff, hex("000102030405060708090a0b0c0d0e0f")),
    decoded: { name: "PING", ttl: 0xffff, context: "000102030405060708090a0b0c0d0e0f" },
  },
  {
    name: "PONG 'abc' (libzmq)",
    frame: hex("04 08 04 504f4e47 616263"),
    encode: () => encodePong(b("abc")),
    decoded: { name: "PONG", data: "616263" },
  },
  {
    name: "PONG, empty context",
    frame: hex("04 05 04 504f4e47"),
    encode: () => encodePong(),
    decoded: { name: "PONG", data: "" },
  },
  {
    name: "SUBSCRIBE 'topic' (libzmq)",
    frame: hex("04 0f 09 535542534352494245 746f706963"),
    encode: () => encodeSubscribe(b("topic")),
    decoded: { name: "SUBSCRIBE", data: "746f706963" },
  },
  {
    name: "SUBSCRIBE to everything (empty prefix)",
    frame: hex("04 0a 09 535542534352494245"),
    encode: () => encodeSubscribe(Buffer.alloc(0)),
    decoded: { name: "SUBSCRIBE", data: "" },
  },
  {
    name: "CANCEL 'topic' (libzmq)",
    frame: hex("04 0c 06 43414e43454c 746f706963"),
    encode: () => encodeCancel(b("topic")),
    decoded: { name: "CANCEL", data: "746f706963" },
  },
];

describe("command golden vectors", () => {
  for (const v of COMMANDS) {
    describe(v.name, () => {
      it("encodes to the golden frame", () => {
        expect(encodeFrame(FLAG_COMMAND, v.encode()).toString("hex")).toBe(v.frame.toString("hex"));
      });

      it("decodes from the golden frame", () => {
        const [body, ...rest] = commandBodies([own(v.frame)]);
        expect(rest).toEqual([]);
        expect(interpret(body!)).toEqual(v.decoded);
        expect(isCommand(body!, v.decoded.name as string)).toBe(true);
      });

      it("round-trips encode -> parse", () => {
        expect(interpret(v.encode())).toEqual(v.decoded);
      });

      it("decodes when the frame is fed one byte at a time", () => {
        expect(commandBodies(bytewise(v.frame)).map(interpret)).toEqual([v.decoded]);
      });

      it("decodes from random splits", () => {
        for (let seed = 1; seed <= 20; seed++) {
          expect(commandBodies(randomSplit(v.frame, seed, 12)).map(interpret), `seed ${seed}`).toEqual([v.decoded]);
        }
      });
    });
  }

  it("decodes every vector back to back in random splits", () => {
    const all = Buffer.concat(COMMANDS.map((v) => v.frame));
    const expected = COMMANDS.map((v) => v.decoded);
    expect(commandBodies(bytewise(all)).map(interpret)).toEqual(expected);
    for (let seed = 50; seed < 80; seed++) {
      expect(commandBodies(randomSplit(all, seed, 12)).map(interpret), `seed ${seed}`).toEqual(expected);
    }
  });
});

describe("command details", () => {
  it("metadata names are case-insensitive and unknown properties are kept", () => {
    const data = encodeMetadata([
      ["SOCKET-TYPE", b("PUB")],
      ["X-Custom", hex("00ff")],
      ["User-Id", b("alice")],
    ]);
    const props = parseMetadata(data);
    expect([...props.keys()]).toEqual(["socket-type", "x-custom", "user-id"]);
    expect(props.get("socket-type")?.toString()).toBe("PUB");
    expect(props.get("x-custom")?.toString("hex")).toBe("00ff");
    expect(parseMetadata(Buffer.alloc(0)).size).toBe(0);
  });

  it("metadata values may be binary and long (4-byte length)", () => {
    const big = Buffer.alloc(70_000, 0x42);
    const data = encodeMetadata([["X-Big", big]]);
    expect(data.subarray(0, 10).toString("hex")).toBe("05582d426967" + "00011170");
    expect(parseMetadata(data).get("x-big")?.equals(big)).toBe(true);
  });

  it("encodeError truncates the reason to 255 bytes", () => {
    const body = encodeError("r".repeat(300));
    expect(body[6]).toBe(255);
    expect(body.length).toBe(1 + 5 + 1 + 255);
    expect(parseError(parseCommand(body).data)).toBe("r".repeat(255));
  });

  it("encodePing clamps and rounds the TTL into 16 bits", () => {
    expect(parsePing(parseCommand(encodePing(-5)).data).ttl).toBe(0);
    expect(parsePing(parseCommand(encodePing(70_000)).data).ttl).toBe(0xffff);
    expect(parsePing(parseCommand(encodePing(12.4)).data).ttl).toBe(12);
  });

  it("isCommand compares name and length exactly", () => {
    const ping = encodePing(1);
    expect(isCommand(ping, "PING")).toBe(true);
    expect(isCommand(ping, "PONG")).toBe(false);
    expect(isCommand(ping, "PIN")).toBe(false);
    expect(isCommand(ping, "PINGS")).toBe(false);
    expect(isCommand(Buffer.alloc(0), "PING")).toBe(false);
    expect(isCommand(encodeCommand("READY"), "READY")).toBe(true);
  });

  it("refuses to encode out-of-range fields", () => {
    expect(() => encodePing(1, Buffer.alloc(17))).toThrow(RangeError);
    expect(() => encodeMetadata([["", b("x")]])).toThrow(RangeError);
    expect(() => encodeMetadata([["n".repeat(256), b("x")]])).toThrow(RangeError);
  });
});

describe("command negative vectors", () => {
  it("rejects an empty command body and a truncated command name", () => {
    expectProtocolError(() => parseCommand(Buffer.alloc(0)), "ZMTP_MALFORMED_COMMAND");
    expectProtocolError(() => parseCommand(hex("05 5245")), "ZMTP_MALFORMED_COMMAND");
    expectProtocolError(() => parseCommand(hex("09 535542534352494245").subarray(0, 9)), "ZMTP_MALFORMED_COMMAND");
    // The same truncated name arriving as a well-formed frame from the decoder.
    const [body] = commandBodies(bytewise(hex("04 04 05 524541")));
    expectProtocolError(() => parseCommand(body!), "ZMTP_MALFORMED_COMMAND");
  });

  it("rejects READY metadata truncated anywhere but a property boundary", () => {
    const data = parseCommand(COMMANDS[0]!.encode()).data;
    const boundaries = new Set([0, 1 + 11 + 4 + 6, data.length]);
    for (let cut = 0; cut <= data.length; cut++) {
      const part = data.subarray(0, cut);
      if (boundaries.has(cut)) {
        expect(() => parseMetadata(part), `cut ${cut}`).not.toThrow();
      } else {
        expectProtocolError(() => parseMetadata(part), "ZMTP_MALFORMED_COMMAND");
      }
    }
    expect(parseMetadata(data.subarray(0, 22)).get("socket-type")?.toString()).toBe("DEALER");
  });

  it("rejects bad metadata lengths", () => {
    // Zero-length property name.
    expectProtocolError(() => parseMetadata(hex("00 00000000")), "ZMTP_MALFORMED_COMMAND");
    // Value length larger than the rest, including 2^32 - 1.
    expectProtocolError(() => parseMetadata(hex("01 41 00000002 42")), "ZMTP_MALFORMED_COMMAND");
    expectProtocolError(() => parseMetadata(hex("01 41 ffffffff 42")), "ZMTP_MALFORMED_COMMAND");
    // Name length running past the end.
    expectProtocolError(() => parseMetadata(hex("ff 41 42 43")), "ZMTP_MALFORMED_COMMAND");
  });

  it("rejects a truncated ERROR", () => {
    expectProtocolError(() => parseError(Buffer.alloc(0)), "ZMTP_MALFORMED_COMMAND");
    expectProtocolError(() => parseError(hex("0d 416363")), "ZMTP_MALFORMED_COMMAND");
    const full = parseCommand(COMMANDS[3]!.encode()).data;
    for (let cut = 0; cut < full.length; cut++) {
      expectProtocolError(() => parseError(full.subarray(0, cut)), "ZMTP_MALFORMED_COMMAND");
    }
    expect(parseError(hex("00"))).toBe("");
  });

  it("rejects a PING whose data is shorter than the TTL or longer than TTL + 16", () => {
    for (const len of [0, 1, 19, 40]) {
      expectProtocolError(() => parsePing(Buffer.alloc(len)), "ZMTP_MALFORMED_COMMAND");
    }
    expect(parsePing(Buffer.alloc(2)).context.length).toBe(0);
    expect(parsePing(Buffer.alloc(18)).context.length).toBe(16);
    // Through the full path: a PING frame with a 17-byte context.
    const [body] = commandBodies([hex("04 18 04 50494e47 0001", "00".repeat(17))]);
    expectProtocolError(() => parsePing(parseCommand(body!).data), "ZMTP_MALFORMED_COMMAND");
  });
});

describe("metadata naming a property twice", () => {
  it("is refused when the values differ, whatever the case of the names", () => {
    const data = encodeMetadata([["Socket-Type", Buffer.from("PUB")], ["socket-type", Buffer.from("PUSH")]]);
    expect(() => parseMetadata(data)).toThrow(expect.objectContaining({ code: "ZMTP_INVALID_METADATA" }));
  });

  it("is kept when the values are the same", () => {
    const data = encodeMetadata([["Socket-Type", Buffer.from("PUSH")], ["Socket-Type", Buffer.from("PUSH")]]);
    expect(parseMetadata(data).get("socket-type")?.toString()).toBe("PUSH");
  });
});
