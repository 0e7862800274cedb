/**
 * The broker process killed with SIGKILL in the middle of a stream of 100k confirmed puts and
 * restarted on the same data directory (examples/broker-crash.ts; about 10 s here).
 * WIREMQ_CRASH_COUNT sets another count.
 */
import { afterEach, describe, expect, it } from "vitest";
import { brokerCrash } from "../../examples/broker-crash.js";
import { killAll, missingBuild } from "../helpers/broker-process.js";
import { crashTrial, type DamageKind } from "../helpers/crash-trial.js";
import { describeNeeding } from "../helpers/prerequisite.js";

const COUNT = Number(process.env.WIREMQ_CRASH_COUNT ?? 100_000);
const SHORT = 10_000;

describeNeeding(missingBuild(), "broker crash", () => {
  it(`sync always: ${COUNT} puts, SIGKILL part-way, every confirmed message delivered in order, none missing`, async () => {
    const lines: string[] = [];
    const r = await brokerCrash({ count: COUNT, sync: "always", killAt: 0.4, log: (l) => lines.push(l) });
    console.log(`broker crash (sync always): ${JSON.stringify(r)}`);
    expect(r.confirmedBeforeKill).toBe(Math.floor(COUNT * 0.4));
    expect(r.confirmed).toBe(COUNT);
    expect(r.missingConfirmedBeforeKill).toBe(0);
    expect(r.missing).toBe(0);
    expect(r.outOfOrder).toBe(0);
    // Only puts in flight at the kill can be stored twice.
    expect(r.duplicates).toBeLessThanOrEqual(1000);
    expect(r.delivered).toBe(COUNT + r.duplicates);
  }, 240_000);

  // A put is confirmed after its write (none) or its sync (batch): either is in the kernel
  // before the reply, so the process dying loses nothing confirmed under any policy.
  it.each(["batch", "none"])(`sync %s: ${SHORT} puts, SIGKILL part-way, no confirmed message missing`, async (sync) => {
    const r = await brokerCrash({ count: SHORT, sync, killAt: 0.5, log: () => {} });
    console.log(`broker crash (sync ${sync}): ${JSON.stringify(r)}`);
    expect(r.confirmedBeforeKill).toBe(SHORT / 2);
    expect(r.confirmed).toBe(SHORT);
    expect(r.missingConfirmedBeforeKill).toBe(0);
    expect(r.missing).toBe(0);
    expect(r.outOfOrder).toBe(0);
    expect(r.delivered).toBe(SHORT + r.duplicates);
  }, 120_000);
});

afterEach(killAll);

/** The short, seeded slice of the crash-and-damage suite (scripts/crash-soak.sh runs it long). */
const SEED = Number(process.env.WIREMQ_CRASH_SEED ?? 16);

describeNeeding(missingBuild(), "broker crash and damage", () => {
  it.each(["always", "batch", "none"])("sync %s: 3 SIGKILLs during puts and acks lose no confirmed message", async (sync) => {
    const r = await crashTrial({ seed: SEED, sync, damage: "none", kills: 3, putsPerPhase: 400 });
    console.log(`crash trial: ${JSON.stringify(r)}`);
    expect(r.confirmed).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
  }, 120_000);

  it.each<DamageKind>(["flip", "bad-length", "delete-segment", "delete-name"])("damage %s after SIGKILLs: a loss is always reported", async (damage) => {
    const r = await crashTrial({ seed: SEED, sync: "always", damage, kills: 2, putsPerPhase: 400 });
    console.log(`crash trial: ${JSON.stringify(r)}`);
    expect(r.confirmed).toBeGreaterThan(0);
    if (r.lost > 0) expect(r.reported).toBeGreaterThan(0);
    // One flipped byte or bad length spoils one record: at most one message.
    if (damage === "flip" || damage === "bad-length") expect(r.lost).toBeLessThanOrEqual(1);
    if (damage === "delete-name") expect(r).toMatchObject({ lost: 0, reported: 1 });
  }, 120_000);
});
