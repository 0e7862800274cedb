/**
 * Takeover on a real 3-node JetStream cluster, replicas 3 (helpers/takeover.ts): the stream's
 * leader SIGKILLed while producers put with confirmation and a consumer acks, then a follower.
 * Nothing confirmed may be lost. The suite runs TAKEOVER_MESSAGES (default 10 000) per trial;
 * scripts/jetstream-takeover.sh runs 20 000 per trial, repeatedly.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeNeeding } from "../helpers/prerequisite.js";
import { missingNatsServer, startNatsCluster, stopAllNats, type NatsServer } from "../helpers/nats.js";
import { takeoverTrial } from "../helpers/takeover.js";

const MESSAGES = Number(process.env.TAKEOVER_MESSAGES ?? 10_000);

describeNeeding(missingNatsServer(), "JetStream takeover, 3 nodes, replicas 3", () => {
  let servers: NatsServer[];
  beforeAll(async () => {
    servers = await startNatsCluster(3);
  }, 60_000);
  afterAll(stopAllNats);

  for (const victim of ["leader", "follower"] as const) {
    it(`the stream's ${victim} killed mid-way: every confirmed put is delivered`, async () => {
      const report = await takeoverTrial(servers, victim, MESSAGES);
      console.log(`takeover ${JSON.stringify(report)}`);
      expect(report.confirmed).toBe(MESSAGES);
      expect(report.lost).toBe(0);
      expect(report.delivered).toBe(MESSAGES);
    }, 180_000);
  }
});
