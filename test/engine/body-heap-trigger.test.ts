/**
 * What raises malloc's trim threshold (body-heap.ts): a frame read into the 1 MiB slabs or
 * into a body of its own, from 16 KiB on; smaller frames leave malloc as it is. Its own file:
 * the raise is once per process, and each test file runs in a process of its own.
 */
import { describe, expect, it } from "vitest";
import { ReadPlan } from "../../lib/engine/read-plan.js";
import { freedBodyMemoryKept } from "../../lib/engine/body-heap.js";

describe("keeping freed body memory", () => {
  it("starts with the first frame of 16 KiB, not before", () => {
    const plan = new ReadPlan();
    plan.sawFrame(16 * 1024 - 1);
    expect(freedBodyMemoryKept()).toBe(false);
    plan.sawFrame(16 * 1024);
    expect(freedBodyMemoryKept()).toBe(true);
  });
});
