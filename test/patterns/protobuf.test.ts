/**
 * The protobuf codec against both supported protobufjs majors (7 as `protobufjs`, 8 as the dev
 * alias `protobufjs8`): every field checked before encoding, int64 exact, the classes pbjs/pbts
 * generate (examples/proto/shop.*, regenerated here and compared), and the package loading in a
 * child process where protobufjs is not installed.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import protobufjs7 from "protobufjs";
import protobufjs8 from "protobufjs8";
import { afterAll, describe, expect, it } from "vitest";
import { EncodeError, protobuf, type Codec } from "../../patterns/index.js";
import { decodeFrames, encodeValue } from "../../patterns/codec/codec.js";
import { shop } from "../../examples/proto/shop.js";
import { protobufGenerated } from "../../examples/protobuf-generated.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { missingBuild } from "../helpers/broker-process.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");

const PROTO = `
syntax = "proto3";
package t;
enum Side { BUY = 0; SELL = 1; }
message Leg { sint64 delta = 1; }
message Trade {
  string id = 1;
  Side side = 2;
  uint32 qty = 3;
  int32 level = 4;
  int64 cents = 5;
  uint64 volume = 6;
  float ratio = 7;
  bool urgent = 8;
  bytes memo = 9;
  repeated Leg legs = 10;
  map<string, int32> counts = 11;
  oneof venue { string exchange = 12; string dark_pool = 13; }
}`;

interface Trade {
  id?: string;
  side?: "BUY" | "SELL";
  qty?: number;
  level?: number;
  cents?: number | bigint | { low: number; high: number; unsigned?: boolean } | string;
  volume?: number | bigint;
  ratio?: number;
  urgent?: boolean;
  memo?: Uint8Array;
  legs?: { delta?: number | bigint }[];
  counts?: Record<string, number>;
  exchange?: string;
  darkPool?: string;
}

const encodeError = (codec: Codec<Trade>, value: unknown): EncodeError => {
  try {
    encodeValue(codec, value as Trade);
  } catch (err) {
    expect(err).toBeInstanceOf(EncodeError);
    expect(err).toMatchObject({ code: "EENCODE" });
    return err as EncodeError;
  }
  throw new Error(`encoded ${String(value)}`);
};

describe.each([
  ["protobufjs 7", protobufjs7],
  ["protobufjs 8", protobufjs8 as unknown as typeof protobufjs7],
])("%s: the reflected codec", (_name, pb) => {
  const codec = protobuf<Trade>(pb.parse(PROTO).root.lookupType("t.Trade"));
  const back = (v: Trade): Trade => decodeFrames(codec, encodeValue(codec, v));

  it("round-trips every kind of field; enums by name", () => {
    const v: Trade = { id: "x", side: "SELL", qty: 4_000_000_000, level: -5, ratio: 0.5, urgent: true, memo: Buffer.from([1, 2]), counts: { a: 1 }, exchange: "XLON" };
    expect(back(v)).toMatchObject({ ...v, memo: Buffer.from([1, 2]) });
  });

  it("64-bit integers are exact both ways: past 2^53 they decode as bigints, from a bigint, a Long or a string", () => {
    const big = 2n ** 60n + 7n;
    expect(back({ cents: big }).cents).toBe(big);
    expect(back({ cents: -big }).cents).toBe(-big);
    expect(back({ volume: 2n ** 64n - 1n }).volume).toBe(2n ** 64n - 1n);
    expect(back({ cents: (pb.util.Long as unknown as { fromString(s: string): Trade["cents"] }).fromString(big.toString()) }).cents).toBe(big);
    expect(back({ cents: big.toString() }).cents).toBe(big);
    expect(back({ legs: [{ delta: -(2n ** 62n) }] }).legs).toEqual([{ delta: -(2n ** 62n) }]);
    // Safe values stay numbers.
    expect(back({ cents: 42 }).cents).toBe(42);
  });

  it("refuses values that do not fit, where protobufjs would coerce them", () => {
    // Each of these protobufjs's fromObject turns into something else without a word.
    expect(encodeError(codec, { qty: -1 }).message).toMatch(/qty.*out of range/);
    expect(encodeError(codec, { qty: 2 ** 32 }).message).toMatch(/qty/);
    expect(encodeError(codec, { qty: "x" }).message).toMatch(/qty.*integer/);
    expect(encodeError(codec, { qty: 1.5 }).message).toMatch(/qty/);
    expect(encodeError(codec, { level: 2 ** 31 }).message).toMatch(/level/);
    expect(encodeError(codec, { cents: 2 ** 60 }).message).toMatch(/cents.*safe integer/);
    expect(encodeError(codec, { cents: 2n ** 63n }).message).toMatch(/cents.*out of range/);
    expect(encodeError(codec, { volume: -1n }).message).toMatch(/volume.*out of range/);
    expect(encodeError(codec, { ratio: 1e39 }).message).toMatch(/ratio/);
    expect(encodeError(codec, { urgent: 1 }).message).toMatch(/urgent/);
    expect(encodeError(codec, { id: 5 }).message).toMatch(/id/);
    expect(encodeError(codec, { memo: "AQI=" }).message).toMatch(/memo/);
    expect(encodeError(codec, { side: "HOLD" }).message).toMatch(/side/);
    expect(encodeError(codec, { side: 7 }).message).toMatch(/side/);
    expect(encodeError(codec, { legs: [{ delta: 0.5 }] }).message).toMatch(/legs\[0\]\.delta/);
    expect(encodeError(codec, { legs: {} }).message).toMatch(/legs/);
    expect(encodeError(codec, { counts: { a: 2 ** 40 } }).message).toMatch(/counts/);
    expect(encodeError(codec, { exchange: "A", darkPool: "B" }).message).toMatch(/venue/);
    expect(encodeError(codec, { quantity: 3 }).message).toMatch(/quantity.*no such field/);
    expect(encodeError(codec, null).code).toBe("EENCODE");
  });
});

describe("classes generated by pbjs/pbts", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("the committed shop.js and shop.d.ts are what scripts/gen-proto.mjs makes from shop.proto", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wiremq-proto-"));
    dirs.push(dir);
    await run(process.execPath, [join(ROOT, "scripts", "gen-proto.mjs"), join(ROOT, "examples", "proto", "shop.proto"), dir]);
    for (const f of ["shop.js", "shop.d.ts"]) {
      expect(readFileSync(join(dir, f), "utf8"), f).toBe(readFileSync(join(ROOT, "examples", "proto", f), "utf8"));
    }
  }, 60_000);

  it("the codec's type is the generated message's; values that do not fit are refused", () => {
    const codec = protobuf(shop.Order);
    const order: shop.IOrder = { id: "o", side: shop.Side.SELL, quantity: 2, amountCents: 5, price: 0.25, tags: ["a"] };
    // @ts-expect-error quantity is a number in the .proto's type
    void (() => encodeValue(codec, { quantity: "2" }));
    const { amountCents, ...rest } = order;
    const decoded = decodeFrames(codec, encodeValue(codec, order)) as shop.Order;
    expect(decoded).toMatchObject(rest);
    expect(Number(decoded.amountCents)).toBe(amountCents);
    const refused = (v: unknown): string => {
      try {
        encodeValue(codec, v as shop.IOrder);
      } catch (err) {
        expect(err).toMatchObject({ code: "EENCODE" });
        return (err as Error).message;
      }
      throw new Error("encoded");
    };
    expect(refused({ quantity: -1 })).toMatch(/quantity/);
    expect(refused({ quantity: "x" })).toMatch(/quantity/);
    expect(refused({ amountCents: 2 ** 60 })).toMatch(/amountCents.*safe integer/);
    expect(refused({ amountCents: -1n, quantity: 2 ** 33 })).toMatch(/quantity/);
    expect(refused({ side: 9 })).toMatch(/side/);
    expect(refused({ colour: "red" })).toMatch(/colour/);
    const big = 2n ** 60n + 7n;
    const back = decodeFrames(codec, encodeValue(codec, { amountCents: big as unknown as number })) as shop.Order;
    expect(BigInt(back.amountCents.toString())).toBe(big);
  });

  it("the example sends typed orders, an amount past 2^53 exact, and refuses three that do not fit", async () => {
    const result = await protobufGenerated(() => {});
    expect(result.received).toEqual([
      { id: "o-1", side: shop.Side.BUY, quantity: 3, amountCents: "1999" },
      { id: "o-2", side: shop.Side.SELL, quantity: 1, amountCents: (2n ** 60n + 7n).toString() },
    ]);
    expect(result.refused).toEqual(["o-3", "o-4", "o-5"]);
  });
});

describeNeeding(missingBuild(), "without protobufjs installed", () => {
  it("the package loads (require and import); the codec's first use says which package to install", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wiremq-noproto-"));
    try {
      // Resolving "protobufjs" fails in the child as it would where it is not installed.
      const hide = join(dir, "hide-protobufjs.cjs");
      writeFileSync(
        hide,
        `const M = require("node:module"); const r = M._resolveFilename;
         M._resolveFilename = function (req, ...rest) {
           if (req === "protobufjs" || req.startsWith("protobufjs/")) { const e = new Error("Cannot find module '" + req + "'"); e.code = "MODULE_NOT_FOUND"; throw e; }
           return r.call(this, req, ...rest);
         };`,
      );
      const script = `
        const cjs = require(${JSON.stringify(join(ROOT, "dist", "cjs", "patterns", "index.js"))});
        import(${JSON.stringify(join(ROOT, "dist", "cjs", "patterns", "index.js"))}).then((esm) => {
          const fake = { name: "T", fullName: "T", fieldsArray: [], fieldsById: {}, encode() {}, decode() {}, verify() { return null; }, toObject() { return {}; }, resolveAll() {} };
          let error = null;
          try { esm.protobuf(fake); } catch (e) { error = { code: e.code, message: e.message }; }
          console.log(JSON.stringify({ cjs: typeof cjs.Producer, esm: typeof esm.Producer, error }));
        });`;
      const { stdout } = await run(process.execPath, ["--require", hide, "-e", script], { cwd: dir });
      const out = JSON.parse(stdout) as { cjs: string; esm: string; error: { code: string; message: string } | null };
      expect(out.cjs).toBe("function");
      expect(out.esm).toBe("function");
      expect(out.error?.code).toBe("ENOTSUP");
      expect(out.error?.message).toMatch(/npm install protobufjs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
