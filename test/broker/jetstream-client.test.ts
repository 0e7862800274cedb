/**
 * The JetStream backend's edges: names mapped reversibly to what JetStream allows, a missing
 * client package named, bad options refused, and "no responders" (a server without JetStream,
 * which is what the API looks like during an election) reported as the retryable EUNAVAILABLE.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { JetStreamQueues, openDurableQueues } from "../../lib/broker/index.js";
import { escapeName, nameOfStream, placeOf, queueStream, unescapeName } from "../../lib/broker/jetstream/names.js";
import { importPeer } from "../../lib/broker/jetstream/load.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { missingNatsServer, startNats, stopAllNats } from "../helpers/nats.js";

describe("JetStream names", () => {
  it("escape to what JetStream allows in stream names and subject tokens, and back", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60, unit: "grapheme" }), (name) => {
        const escaped = escapeName(name);
        expect(escaped).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(unescapeName(escaped)).toBe(name);
        expect(nameOfStream(queueStream(name))).toEqual({ kind: "queue", name });
      }),
    );
    expect(escapeName("orders.eu west>*")).toBe("orders_2Eeu_20west_3E_2A");
    expect(placeOf("news@reader")).toMatchObject({ stream: "T_news", durable: "S_reader", topic: true });
    expect(placeOf("news@reader.dlq")).toMatchObject({ stream: "Q_news_40reader_2Edlq", topic: false });
  });

  it("a name too long once escaped is refused with EINVAL", () => {
    expect(() => escapeName("é".repeat(50))).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});

describe("JetStream client options", () => {
  it("refuses bad options with EINVAL, and an unknown backend", () => {
    for (const bad of [{ servers: [] }, { servers: "nats://x:1", replicas: 6 }, { servers: "nats://x:1", storage: "disk" }, { servers: "nats://x:1", putTimeout: -2 }]) {
      expect(() => new JetStreamQueues(bad as never)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    }
    expect(() => openDurableQueues({ backend: "kafka" } as never)).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("a missing client package is named, with EMISSINGPACKAGE", async () => {
    await expect(importPeer("@nats-io/not-installed", () => import("@nats-io/not-installed" as string))).rejects.toMatchObject({
      code: "EMISSINGPACKAGE",
      message: expect.stringContaining("@nats-io/not-installed"),
    });
  });
});

describeNeeding(missingNatsServer(), "JetStream unavailable", () => {
  afterAll(stopAllNats);

  it("no responders for the JetStream API (as during an election): put retries, then rejects with EUNAVAILABLE", async () => {
    const server = await startNats({ jetstream: false });
    const q = new JetStreamQueues({ servers: server.url, putTimeout: 800 });
    try {
      await expect(q.put("jobs", "x")).rejects.toMatchObject({ code: "EUNAVAILABLE" });
    } finally {
      await q.close();
    }
  });
});
