/** Issue 22's five-service scenario (examples/five-services.ts): its counts, asserted. */
import { describe, expect, it } from "vitest";
import { fiveServices } from "../../examples/five-services.js";

describe("the five-service scenario", () => {
  it("orders drained mid-stream, payments with a killed server, a job past its lease: lost 0, run twice 0", async () => {
    const lines: string[] = [];
    const r = await fiveServices((l) => lines.push(l));
    expect(r.orders).toMatchObject({ sent: 300, lost: 0, duplicates: 0 });
    expect(r.orders.fulfilled).toBe(300);
    // B took work before its drain, and A finished the rest.
    expect(r.orders.byB).toBeGreaterThan(0);
    expect(r.orders.byB).toBeLessThan(300);
    expect(r.payments).toMatchObject({ calls: 40, duplicates: 0, lost: 0, unsettled: 0 });
    expect(r.payments.answered + r.payments.mayHaveRun).toBe(40);
    expect(r.payments.mayHaveRun).toBeGreaterThan(0);
    expect(r.report).toMatchObject({ runs: 1, acked: 1 });
    expect(r.report.ranMs).toBeGreaterThanOrEqual(3 * r.report.leaseMs);
    expect(lines.length).toBeGreaterThanOrEqual(5);
  }, 30_000);
});
