import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { crashTrial } from "../helpers/device-crash.js";

// Short and seeded here; scripts/device-crash.sh runs it long (DEVICE_CRASH_KILLS, DEVICE_CRASH_SEED).
const KILLS = Number(process.env.DEVICE_CRASH_KILLS ?? 5);
const SEED = Number(process.env.DEVICE_CRASH_SEED ?? 16);
const CONSUMERS = 2;

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("BufferingDevice under SIGKILL", () => {
  it(`loses no message it took in across ${KILLS} kills (seed ${SEED}), some during compaction, and sends again at most one per consumer per kill`, async () => {
    dir = mkdtempSync(join(tmpdir(), "wiremq-device-crash-"));
    const report = await crashTrial({ seed: SEED, kills: KILLS, dir, writeAhead: true, consumers: CONSUMERS });
    if (process.env.DEVICE_CRASH_KILLS !== undefined) console.log(JSON.stringify(report));
    expect(report.deliveries).toBeGreaterThan(0);
    expect(report.lost).toBe(0);
    expect(report.duplicated).toBeLessThanOrEqual(CONSUMERS * KILLS);
  }, 60_000 + KILLS * 10_000);
});
