import { describe, expect, it } from "vitest";
import { encodeZapReply, encodeZapRequest, parseZapReply, parseZapRequest, ZAP_ENDPOINT } from "../../lib/mechanisms/zap.js";
import { encodeMetadata } from "../../lib/wire/command.js";

const str = (frames: Buffer[]) => frames.map((f) => f.toString("latin1"));

describe("ZAP codec (27/ZAP)", () => {
  it("names the handler endpoint", () => {
    expect(ZAP_ENDPOINT).toBe("inproc://zeromq.zap.01");
  });

  it("encodes a PLAIN request in frame order", () => {
    const frames = encodeZapRequest("1", {
      domain: "global",
      address: "127.0.0.1",
      routingId: Buffer.from("BOB"),
      mechanism: "PLAIN",
      credentials: [Buffer.from("admin"), Buffer.from("secret")],
    });
    expect(str(frames)).toEqual(["1.0", "1", "global", "127.0.0.1", "BOB", "PLAIN", "admin", "secret"]);
  });

  it("encodes NULL with no credential frames and CURVE with one 32-byte key", () => {
    const base = { domain: "", address: "::1", routingId: Buffer.alloc(0) };
    expect(encodeZapRequest("7", { ...base, mechanism: "NULL", credentials: [] })).toHaveLength(6);
    const key = Buffer.alloc(32, 9);
    const frames = encodeZapRequest(Buffer.from([0, 1]), { ...base, mechanism: "CURVE", credentials: [key] });
    expect(frames).toHaveLength(7);
    expect(frames[1]).toEqual(Buffer.from([0, 1]));
    expect(frames[6]).toEqual(key);
  });

  it("round-trips a request through the handler-side parser (with or without delimiter)", () => {
    const req = {
      domain: "d",
      address: "10.0.0.1",
      routingId: Buffer.from("id"),
      mechanism: "CURVE" as const,
      credentials: [Buffer.alloc(32, 1)],
    };
    const frames = encodeZapRequest("42", req);
    for (const input of [frames, [Buffer.alloc(0), ...frames]]) {
      const parsed = parseZapRequest(input);
      expect(parsed.requestId.toString()).toBe("42");
      expect(parsed).toMatchObject({ domain: "d", address: "10.0.0.1", mechanism: "CURVE" });
      expect(parsed.routingId).toEqual(Buffer.from("id"));
      expect(parsed.credentials).toEqual(req.credentials);
    }
  });

  it("refuses malformed requests", () => {
    const ok = encodeZapRequest("1", {
      domain: "",
      address: "a",
      routingId: Buffer.alloc(0),
      mechanism: "PLAIN",
      credentials: [Buffer.from("u"), Buffer.from("p")],
    });
    expect(() => parseZapRequest(ok.slice(0, 5))).toThrow(expect.objectContaining({ code: "ZAP_MALFORMED_REQUEST" }));
    expect(() => parseZapRequest([Buffer.from("2.0"), ...ok.slice(1)])).toThrow(expect.objectContaining({ code: "ZAP_BAD_VERSION" }));
    expect(() => parseZapRequest(ok.slice(0, 7))).toThrow(expect.objectContaining({ code: "ZAP_MALFORMED_REQUEST" }));
    const weird = [...ok.slice(0, 5), Buffer.from("KERBEROS")];
    expect(() => parseZapRequest(weird)).toThrow(expect.objectContaining({ code: "ZAP_MALFORMED_REQUEST" }));
  });

  it("parses a 200 reply with user id and metadata", () => {
    const metadata = encodeMetadata([["X-Role", Buffer.from("admin")], ["Hello", Buffer.alloc(0)]]);
    const frames = [Buffer.from("1.0"), Buffer.from("1"), Buffer.from("200"), Buffer.from("OK"), Buffer.from("joe"), metadata];
    const reply = parseZapReply(frames, "1");
    expect(reply.status).toBe(200);
    expect(reply.statusText).toBe("OK");
    expect(reply.userId).toBe("joe");
    expect(reply.requestId.toString()).toBe("1");
    expect([...reply.metadata.keys()]).toEqual(["x-role", "hello"]);
    expect(reply.metadata.get("x-role")).toEqual(Buffer.from("admin"));
    // A leading address delimiter is accepted too.
    expect(parseZapReply([Buffer.alloc(0), ...frames]).userId).toBe("joe");
  });

  it("round-trips replies built by encodeZapReply", () => {
    for (const status of [200, 300, 400, 500]) {
      const frames = encodeZapReply("abc", { status, statusText: "t", userId: status === 200 ? "u" : "" });
      expect(frames).toHaveLength(6);
      const r = parseZapReply(frames, Buffer.from("abc"));
      expect(r.status).toBe(status);
      expect(r.metadata.size).toBe(0);
    }
    expect(() => encodeZapReply("1", { status: 201 })).toThrow(RangeError);
  });

  it("validates replies as libzmq does", () => {
    const good = encodeZapReply("1", { status: 400, statusText: "denied" });
    const cases: Array<[Buffer[], string]> = [
      [good.slice(0, 5), "ZAP_MALFORMED_REPLY"],
      [[...good, Buffer.alloc(0)], "ZAP_MALFORMED_REPLY"],
      [[Buffer.from("1.1"), ...good.slice(1)], "ZAP_BAD_VERSION"],
      [[good[0]!, good[1]!, Buffer.from("201"), ...good.slice(3)], "ZAP_INVALID_STATUS_CODE"],
      [[good[0]!, good[1]!, Buffer.from("600"), ...good.slice(3)], "ZAP_INVALID_STATUS_CODE"],
      [[good[0]!, good[1]!, Buffer.from("40"), ...good.slice(3)], "ZAP_INVALID_STATUS_CODE"],
      [[...good.slice(0, 5), Buffer.from([5, 0x41])], "ZAP_INVALID_METADATA"],
    ];
    for (const [frames, code] of cases) {
      expect(() => parseZapReply(frames)).toThrow(expect.objectContaining({ code }));
    }
    expect(() => parseZapReply(good, "2")).toThrow(expect.objectContaining({ code: "ZAP_BAD_REQUEST_ID" }));
  });
});
