import { describe, expect, it } from "vitest";
import { decodeFanout, encodeDeliver, encodeReport } from "../../lib/devices/fanout-wire.js";
import { groupByNode, parseDestination } from "../../lib/devices/destination.js";
import { DestinationLists } from "../../lib/devices/destination-lists.js";

const ID = Buffer.from("00112233445566778899aabbccddeeff", "hex");
const hex = (frames: Buffer[]): string[] => frames.map((f) => f.toString("hex"));

describe("fan-out wire format", () => {
  it("DELIVER: golden bytes, decode, round trip", () => {
    const frames = encodeDeliver(ID, 1500, ["a", "bé"], [Buffer.from("hi"), Buffer.alloc(0)]);
    expect(hex(frames)).toEqual([
      // version 1, kind 1, id, ttl 1500 (0x05dc), 2 recipients
      "0101" + "00112233445566778899aabbccddeeff" + "000005dc" + "0002",
      "61",
      "62c3a9",
      "6869",
      "",
    ]);
    const decoded = decodeFanout(frames);
    expect(decoded).toEqual({ kind: "deliver", id: ID, ttlMs: 1500, names: ["a", "bé"], payload: [Buffer.from("hi"), Buffer.alloc(0)] });
    if (decoded.kind !== "deliver") throw new Error("kind");
    expect(hex(encodeDeliver(decoded.id, decoded.ttlMs, decoded.names, decoded.payload))).toEqual(hex(frames));
  });

  it("REPORT: golden bytes, decode, round trip", () => {
    const frames = encodeReport(ID, ["delivered", "no-such-recipient", "timed-out", "failed"]);
    expect(hex(frames)).toEqual(["0102" + "00112233445566778899aabbccddeeff", "00010203"]);
    const decoded = decodeFanout(frames);
    expect(decoded).toEqual({ kind: "report", id: ID, statuses: ["delivered", "no-such-recipient", "timed-out", "failed"] });
    if (decoded.kind !== "report") throw new Error("kind");
    expect(hex(encodeReport(decoded.id, decoded.statuses))).toEqual(hex(frames));
  });

  const good = encodeDeliver(ID, 10, ["a"], [Buffer.from("m")]);
  const withHeader = (edit: (h: Buffer) => void): Buffer[] => {
    const h = Buffer.from(good[0]!);
    edit(h);
    return [h, ...good.slice(1)];
  };
  it.each([
    ["no frames", []],
    ["short header", [Buffer.alloc(5)]],
    ["other version", withHeader((h) => (h[0] = 2))],
    ["unknown kind", withHeader((h) => (h[1] = 9))],
    ["zero recipients", withHeader((h) => h.writeUInt16BE(0, 22))],
    ["more recipients than frames", withHeader((h) => h.writeUInt16BE(5, 22))],
    ["no message after the names", good.slice(0, 2)],
    ["empty name", [good[0]!, Buffer.alloc(0), good[2]!]],
    ["report with a bad status", [encodeReport(ID, ["delivered"])[0]!, Buffer.from([7])]],
    ["report with extra frames", [...encodeReport(ID, ["delivered"]), Buffer.alloc(1)]],
  ])("refuses %s with EPROTO", (_why, frames) => {
    expect(() => decodeFanout(frames as Buffer[])).toThrow(expect.objectContaining({ code: "EPROTO" }));
  });

  it("refuses to encode what it could not decode", () => {
    expect(() => encodeDeliver(Buffer.alloc(3), 1, ["a"], [Buffer.alloc(1)])).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => encodeDeliver(ID, 1, [], [Buffer.alloc(1)])).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => encodeDeliver(ID, 1, ["a"], [])).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});

describe("destinations", () => {
  it("splits at the first #, so a name may be a destination further on", () => {
    expect(parseDestination("tcp://10.0.0.5:7000#orders.eu")).toEqual({ text: "tcp://10.0.0.5:7000#orders.eu", node: "tcp://10.0.0.5:7000", name: "orders.eu" });
    expect(parseDestination("tcp://a:1#tcp://b:2#x")).toMatchObject({ node: "tcp://a:1", name: "tcp://b:2#x" });
    expect(parseDestination("ipc:///run/relay.sock#n")).toMatchObject({ node: "ipc:///run/relay.sock", name: "n" });
  });

  it.each(["orders", "tcp://a:1#", "#name", "udp://a:1#x", "tcp://#x", `tcp://a:1#${"n".repeat(1025)}`])("refuses %j with EINVAL", (text) => {
    expect(() => parseDestination(text)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("groups by node, each name once, in first-seen order", () => {
    const groups = groupByNode(["tcp://a:1#x", "tcp://b:1#y", "tcp://a:1#z", "tcp://a:1#x"].map(parseDestination));
    expect([...groups]).toEqual([
      ["tcp://a:1", ["x", "z"]],
      ["tcp://b:1", ["y"]],
    ]);
  });
});

describe("named destination lists", () => {
  it("expands lists, nested lists and plain destinations in order", () => {
    const lists = new DestinationLists();
    lists.define("eu", ["tcp://a:1#x", "tcp://a:1#y"]);
    lists.define("all", ["eu", "tcp://b:1#z"]);
    expect(lists.resolve(["all", "tcp://c:1#w"]).map((d) => d.text)).toEqual(["tcp://a:1#x", "tcp://a:1#y", "tcp://b:1#z", "tcp://c:1#w"]);
    expect(lists.names).toEqual(["eu", "all"]);
    expect(lists.undefine("eu")).toBe(true);
    expect(() => lists.resolve(["all"])).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("refuses unknown names, bad entries and cycles, keeping the previous definition", () => {
    const lists = new DestinationLists();
    expect(() => lists.resolve(["nope"])).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => lists.define("bad", ["tcp://a:1#"])).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(lists.names).toEqual([]);
    lists.define("a", ["tcp://a:1#x"]);
    lists.define("b", ["a"]);
    expect(() => lists.define("a", ["b"])).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(lists.resolve(["a"]).map((d) => d.text)).toEqual(["tcp://a:1#x"]);
    expect(() => lists.define("x#y", [])).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});
