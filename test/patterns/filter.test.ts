/** Content filters as data: what each test means, what is refused, and their wire format. */
import { describe, expect, it } from "vitest";
import { compileWhere, FILTER_LIMITS, type Where } from "../../patterns/index.js";
import {
  channelFrame,
  channelSubscription,
  filterDeclaration,
  newChannel,
  parseChannelFrame,
  parseFilterDeclaration,
} from "../../patterns/pubsub/filter-wire.js";
import { FilterTable } from "../../patterns/pubsub/filter-table.js";

interface Trade {
  symbol: string;
  qty: number;
  side: "buy" | "sell";
  flagged: boolean;
  note: string | null;
  venue: { name: string; tier: number };
}
const trade: Trade = { symbol: "ACME", qty: 150, side: "buy", flagged: false, note: null, venue: { name: "XNYS", tier: 1 } };
const run = (where: Where<Trade>, value: Trade = trade): boolean => compileWhere(where)(value);

describe("content filters", () => {
  it("eq and ne compare scalars strictly, null included", () => {
    expect(run({ field: "symbol", eq: "ACME" })).toBe(true);
    expect(run({ field: "qty", eq: 150 })).toBe(true);
    expect(run({ field: "flagged", eq: false })).toBe(true);
    expect(run({ field: "note", eq: null })).toBe(true);
    expect(run({ field: "symbol", ne: "ACME" })).toBe(false);
    expect(compileWhere({ field: "qty", eq: "150" })(trade)).toBe(false);
  });

  it("in tests membership", () => {
    expect(run({ field: "side", in: ["sell", "buy"] })).toBe(true);
    expect(run({ field: "symbol", in: ["BOLT"] })).toBe(false);
  });

  it("ranges compare numbers with numbers and strings with strings, never across", () => {
    expect(run({ field: "qty", gt: 100, lte: 150 })).toBe(true);
    expect(run({ field: "qty", gte: 151 })).toBe(false);
    expect(run({ field: "symbol", gte: "A", lt: "B" })).toBe(true);
    expect(compileWhere({ field: "qty", lt: "999" })(trade)).toBe(false);
  });

  it("reads dotted paths into nested objects; a missing field fails every test but ne", () => {
    expect(run({ field: "venue.tier", eq: 1 })).toBe(true);
    expect(compileWhere({ field: "venue.city", eq: "NY" })(trade)).toBe(false);
    expect(compileWhere({ field: "venue.city", ne: "NY" })(trade)).toBe(true);
    expect(compileWhere({ field: "a.b.c", eq: 1 })(42)).toBe(false);
  });

  it("combines with and, or, not", () => {
    const where: Where<Trade> = {
      or: [{ and: [{ field: "symbol", eq: "ACME" }, { field: "qty", gte: 100 }] }, { not: { field: "venue.tier", eq: 1 } }],
    };
    expect(run(where)).toBe(true);
    expect(run(where, { ...trade, qty: 5 })).toBe(false);
    expect(run(where, { ...trade, qty: 5, venue: { name: "X", tier: 2 } })).toBe(true);
  });

  it.each([
    ["a non-object", 42],
    ["an empty and", { and: [] }],
    ["no operator", { field: "qty" }],
    ["an unknown operator", { field: "qty", like: "1%" }],
    ["eq mixed with a range", { field: "qty", eq: 1, gt: 0 }],
    ["an object compared", { field: "venue", eq: { tier: 1 } }],
    ["a prototype path", { field: "constructor.name", eq: "Object" }],
    ["an empty path segment", { field: "venue..tier", eq: 1 }],
    ["a range on a boolean", { field: "flagged", gt: true }],
  ])("refuses %s with EINVAL", (_what, where) => {
    expect(() => compileWhere(where)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("refuses filters past its size limits", () => {
    let deep: unknown = { field: "qty", eq: 1 };
    for (let i = 0; i <= FILTER_LIMITS.depth; i++) deep = { not: deep };
    expect(() => compileWhere(deep)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    const wide = { or: Array.from({ length: FILTER_LIMITS.nodes }, (_, i) => ({ field: "qty", eq: i })) };
    expect(() => compileWhere(wide)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    const long = { field: "symbol", in: Array.from({ length: FILTER_LIMITS.inValues + 1 }, (_, i) => `S${i}`) };
    expect(() => compileWhere(long)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});

describe("filter wire format", () => {
  it("a declaration round-trips and is a subscription beginning with NUL", () => {
    const channel = newChannel();
    expect(channel).toMatch(/^[0-9a-f]{12}$/);
    const body = filterDeclaration({ channel, topic: "prices", where: { field: "qty", gt: 1 } });
    expect(body[0]).toBe(0);
    expect(body.toString("latin1")).toMatch(/^\0wmq-filter:\{"v":1,"ch":"[0-9a-f]{12}","topic":"prices","where":/);
    expect(parseFilterDeclaration(body)).toEqual({ channel, topic: "prices", where: { field: "qty", gt: 1 } });
  });

  it.each([
    ["another tag", "\0wmq-other:{}"],
    ["bad JSON", '\0wmq-filter:{"v":1'],
    ["another version", '\0wmq-filter:{"v":2,"ch":"0123456789ab","topic":"t","where":{}}'],
    ["a bad channel", '\0wmq-filter:{"v":1,"ch":"xyz","topic":"t","where":{}}'],
    ["no topic", '\0wmq-filter:{"v":1,"ch":"0123456789ab","where":{}}'],
  ])("a declaration with %s is refused", (_what, text) => {
    expect(parseFilterDeclaration(Buffer.from(text, "latin1"))).toBeNull();
  });

  it("refuses an oversized declaration", () => {
    const huge = filterDeclaration({ channel: newChannel(), topic: "t", where: { field: "x", eq: "y".repeat(20_000) } });
    expect(parseFilterDeclaration(huge)).toBeNull();
  });

  it("a filtered copy's frame 0 begins with its channel subscription and names its topic", () => {
    const channel = newChannel();
    const frame = channelFrame(channel, Buffer.from("prices"));
    const prefix = channelSubscription(channel);
    expect(frame.subarray(0, prefix.length).equals(prefix)).toBe(true);
    expect(parseChannelFrame(frame)).toEqual({ channel, topic: Buffer.from("prices") });
    expect(parseChannelFrame(Buffer.from("prices"))).toBeNull();
    expect(parseChannelFrame(prefix.subarray(0, prefix.length - 1))).toBeNull();
    expect(parseChannelFrame(prefix)).toEqual({ channel, topic: Buffer.alloc(0) });
  });
});

describe("filter table", () => {
  const declare = (channel: string, topic: string, where: unknown): Buffer => filterDeclaration({ channel, topic, where });

  it("visits each channel once per value, only for filters on that exact topic", () => {
    const table = new FilterTable();
    const [a, b] = [newChannel(), newChannel()];
    table.add(declare(a, "prices", { field: "qty", gt: 10 }));
    table.add(declare(a, "prices", { field: "symbol", eq: "ACME" }));
    table.add(declare(b, "prices", { field: "qty", lt: 10 }));
    table.add(declare(b, "prices2", { field: "qty", gt: 0 }));
    const visited: string[] = [];
    table.forEachMatch("prices", trade, (ch) => visited.push(ch));
    expect(visited).toEqual([a]);
    expect(table.has("price")).toBe(false);
  });

  it("forgets a filter when its declaration is cancelled", () => {
    const table = new FilterTable();
    const channel = newChannel();
    const decl = declare(channel, "prices", { field: "qty", gt: 10 });
    expect(table.add(decl)).not.toBeNull();
    expect(table.add(decl)).not.toBeNull();
    expect(table.size).toBe(1);
    expect(table.remove(decl)).toMatchObject({ channel });
    expect(table.size).toBe(0);
    expect(table.has("prices")).toBe(false);
    expect(table.remove(decl)).toBeNull();
  });

  it("counts and ignores a declaration whose filter does not compile", () => {
    const table = new FilterTable();
    expect(table.add(declare(newChannel(), "prices", { field: "qty", between: [1, 2] }))).toBeNull();
    expect(table.rejected).toBe(1);
    expect(table.size).toBe(0);
  });
});
