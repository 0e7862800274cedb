import { describe, expect, it } from "vitest";
import { encodeGreeting, GreetingParser } from "../lib/wire/greeting.js";
import { encodeMessage, FrameDecoder } from "../lib/wire/frame.js";

describe("wire smoke", () => {
  it("parses its own greeting", () => {
    const p = new GreetingParser();
    expect(p.feed(encodeGreeting("NULL", false))).toBe(64);
    expect(p.result).toEqual({ major: 3, minor: 1, mechanism: "NULL", asServer: false });
  });

  it("decodes a multi-part message split at every byte", () => {
    const bytes = encodeMessage([Buffer.from("a"), Buffer.alloc(0), Buffer.alloc(300, 7)]);
    const got: Array<[number, number]> = [];
    const d = new FrameDecoder();
    for (let i = 0; i < bytes.length; i++) {
      d.push(bytes.subarray(i, i + 1), { onFrame: (f, b) => got.push([f, b.length]) });
    }
    expect(got).toEqual([[1, 1], [1, 0], [0, 300]]);
  });
});
