/** Codecs: round trips, and every way a message can fail to decode or a value fail to encode. */
import protobufjs from "protobufjs";
import { describe, expect, it } from "vitest";
import { DecodeError, EncodeError, json, protobuf, raw, string, type Codec } from "../../patterns/index.js";
import { decodeFrames, encodeValue } from "../../patterns/codec/codec.js";

const ORDERS_PROTO = `
syntax = "proto3";
package orders;
enum Side { BUY = 0; SELL = 1; }
message Order {
  string id = 1;
  string symbol = 2;
  Side side = 3;
  uint32 quantity = 4;
  double price = 5;
  repeated string tags = 6;
}`;

interface Order {
  id: string;
  symbol: string;
  side: "BUY" | "SELL";
  quantity: number;
  price: number;
  tags: string[];
}

const root = protobufjs.parse(ORDERS_PROTO).root;
const OrderType = root.lookupType("orders.Order");
const order: Order = { id: "o-1", symbol: "ACME", side: "SELL", quantity: 7, price: 12.5, tags: ["a", "b"] };

/** What `pbjs -t static-module` generates for a message, written out for one two-field message. */
class Point {
  x = 0;
  y = 0;
  static encode(message: { x?: number; y?: number }, writer?: protobufjs.Writer): protobufjs.Writer {
    const w = writer ?? protobufjs.Writer.create();
    if (message.x) w.uint32(8).sint32(message.x);
    if (message.y) w.uint32(16).sint32(message.y);
    return w;
  }
  static decode(input: protobufjs.Reader | Uint8Array, length?: number): Point {
    const r = input instanceof protobufjs.Reader ? input : protobufjs.Reader.create(input);
    const end = length === undefined ? r.len : r.pos + length;
    const m = new Point();
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) m.x = r.sint32();
      else if (tag >>> 3 === 2) m.y = r.sint32();
      else r.skipType(tag & 7);
    }
    return m;
  }
  static verify(message: { [key: string]: unknown }): string | null {
    for (const k of ["x", "y"]) if (message[k] !== undefined && !Number.isInteger(message[k])) return `${k}: integer expected`;
    return null;
  }
}

function roundTrip<T>(codec: Codec<T>, value: T): T {
  return decodeFrames(codec, encodeValue(codec, value));
}

function decodeFailure<T>(codec: Codec<T>, frames: Buffer[]): DecodeError {
  try {
    decodeFrames(codec, frames);
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error("decoded what should have failed");
}

describe("codecs", () => {
  it("raw passes frames through by reference", () => {
    const frames = [Buffer.from("a"), Buffer.alloc(0)];
    expect(raw.encode(frames)[0]).toBe(frames[0]);
    expect(roundTrip(raw, frames)).toEqual(frames);
  });

  it("string round-trips UTF-8 and refuses invalid UTF-8 and extra frames", () => {
    expect(roundTrip(string, "héllo ✓")).toBe("héllo ✓");
    const bad = decodeFailure(string, [Buffer.from([0xc3, 0x28])]);
    expect(bad.code).toBe("EDECODE");
    expect(bad.frames[0]).toEqual(Buffer.from([0xc3, 0x28]));
    expect(decodeFailure(string, [Buffer.from("a"), Buffer.from("b")]).frames).toHaveLength(2);
  });

  it("json round-trips and refuses malformed JSON", () => {
    const codec = json<{ n: number; tags: string[] }>();
    expect(roundTrip(codec, { n: 1, tags: ["x"] })).toEqual({ n: 1, tags: ["x"] });
    expect(decodeFailure(codec, [Buffer.from("{nope")]).codec).toBe("json");
  });

  it("json with a validator refuses well-formed JSON of the wrong shape", () => {
    const isPoint = (v: unknown): v is { x: number } => typeof (v as { x?: unknown } | null)?.x === "number";
    const codec = json({ validate: isPoint, name: "point" });
    expect(roundTrip(codec, { x: 3 })).toEqual({ x: 3 });
    const err = decodeFailure(codec, [Buffer.from('{"x":"3"}')]);
    expect(err.codec).toBe("point");
  });

  it("json refuses to encode a value with no JSON form", () => {
    const codec = json<unknown>();
    expect(() => encodeValue(codec, undefined)).toThrow(EncodeError);
    expect(() => encodeValue(codec, { big: 1n })).toThrow(expect.objectContaining({ code: "EENCODE" }));
  });

  it("protobuf with a reflected Type round-trips, enums as names", () => {
    const codec = protobuf<Order>(OrderType);
    expect(codec.name).toBe("protobuf:orders.Order");
    expect(roundTrip(codec, order)).toEqual(order);
    // Bytes on the wire are the protobuf encoding, readable by any protobuf implementation.
    expect(OrderType.toObject(OrderType.decode(codec.encode(order)[0]!), { enums: String })).toMatchObject({ id: "o-1", side: "SELL" });
  });

  it("protobuf with a Root and a type name is the same codec", () => {
    const codec = protobuf<Order>(root, "orders.Order");
    expect(roundTrip(codec, order)).toEqual(order);
  });

  it("protobuf with a static generated class takes its types from the class", () => {
    const codec = protobuf(Point);
    const back = roundTrip(codec, { x: -4, y: 9 });
    expect(back).toBeInstanceOf(Point);
    expect(back).toMatchObject({ x: -4, y: 9 });
    expect(() => encodeValue(codec, { x: 1.5 })).toThrow(EncodeError);
  });

  it("protobuf refuses truncated and malformed bytes", () => {
    const codec = protobuf<Order>(OrderType);
    const bytes = codec.encode(order)[0]!;
    expect(decodeFailure(codec, [bytes.subarray(0, bytes.length - 2)]).code).toBe("EDECODE");
    // Wire type 7 does not exist; protobufjs alone would decode this as { id: "" }.
    expect(decodeFailure(codec, [Buffer.from([0x0f, 0x01])]).codec).toBe("protobuf:orders.Order");
    // id (a string) with a length past the end; protobufjs alone would decode id "A".
    decodeFailure(codec, [Buffer.from([0x0a, 0x05, 0x41])]);
    // id sent as a varint: the right field number with the wrong wire type.
    decodeFailure(codec, [Buffer.from([0x08, 0x01])]);
    // id that is not UTF-8.
    decodeFailure(codec, [Buffer.from([0x0a, 0x02, 0xc3, 0x28])]);
  });

  it("protobuf accepts fields it does not know, so a newer peer's messages still decode", () => {
    const codec = protobuf<Order>(OrderType);
    // Field 99, varint 5, after a valid order.
    const newer = Buffer.concat([codec.encode(order)[0]!, Buffer.from([0x98, 0x06, 0x05])]);
    expect(decodeFrames(codec, [newer])).toEqual(order);
  });

  it("protobuf refuses to encode a value its schema rejects", () => {
    const codec = protobuf<Order>(OrderType);
    const wrongEnum = { ...order, side: "HOLD" } as unknown as Order;
    expect(() => encodeValue(codec, wrongEnum)).toThrow(expect.objectContaining({ code: "EENCODE" }));
    const wrongType = { ...order, tags: "not-a-list" } as unknown as Order;
    expect(() => encodeValue(codec, wrongType)).toThrow(EncodeError);
  });

  it("protobuf() refuses something that is not a schema", () => {
    expect(() => protobuf({} as unknown as protobufjs.Type)).toThrow(TypeError);
  });
});
