/**
 * The JetStream backend's put path (lib/broker/jetstream/publisher.ts), on a real nats-server:
 * a put resolves only on the stream's answer; a refusal rejects at once with a code; an attempt
 * left unanswered is sent again with the same Nats-Msg-Id and stored once; "no responders"
 * (no stream leader) is retried and ends as the retryable EUNAVAILABLE, after which the stream
 * is looked for (and made) again.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { JetStreamQueues } from "../../lib/broker/index.js";
import { parseAck } from "../../lib/broker/jetstream/publisher.js";
import { queueStream, queueSubject } from "../../lib/broker/jetstream/names.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { missingNatsServer, startNats, stopAllNats, type NatsServer } from "../helpers/nats.js";
import { within } from "../helpers/sockets.js";
import { readdirSync, readFileSync } from "node:fs";

/** SIGSTOPs a process and resolves once every thread of it is stopped (a signal is not a stop: a running thread finishes its slice). */
async function stopped(pid: number): Promise<void> {
  process.kill(pid, "SIGSTOP");
  const state = (tid: string): string => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]![0]!;
    } catch {
      return "T"; // the thread is gone
    }
  };
  await within(
    (async () => {
      while (!readdirSync(`/proc/${pid}/task`).every((tid) => state(tid) === "T")) await new Promise((r) => setImmediate(r));
    })(),
    5000,
    "the server's threads stopping",
  );
}

describe("a stream's answer to a put", () => {
  it("is read without JSON.parse in the shapes nats-server writes, and left to JSON.parse otherwise", () => {
    expect(parseAck(Buffer.from('{"stream":"Q_a", "seq":1}'))).toEqual({ broker: "nats:Q_a", seq: 1, duplicate: false });
    expect(parseAck(Buffer.from('{"stream":"Q_a", "seq":12,"duplicate": true}'))).toEqual({ broker: "nats:Q_a", seq: 12, duplicate: true });
    expect(parseAck(Buffer.from('{"stream":"Q_a","seq":9007199254740991}'))).toEqual({ broker: "nats:Q_a", seq: 2 ** 53 - 1, duplicate: false });
    expect(parseAck(Buffer.from('{"stream":"Q_a", "domain":"hub", "seq":3}'))).toEqual({ broker: "nats:Q_a", seq: 3, duplicate: false });
    expect(parseAck(Buffer.from('{"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"},"stream":"Q_a","seq":0}'))).toBeNull();
    expect(parseAck(Buffer.from('{"stream":"Q_a", "seq":x}'))).toBeNull();
    expect(parseAck(Buffer.from("not json"))).toBeNull();
    // A view into a larger buffer, as the client's parser hands it over.
    const big = Buffer.from('xx{"stream":"Q_b", "seq":7}yy');
    expect(parseAck(big.subarray(2, big.length - 2))).toEqual({ broker: "nats:Q_b", seq: 7, duplicate: false });
  });
});

describeNeeding(missingNatsServer(), "JetStream puts on a real server", () => {
  const clients: JetStreamQueues[] = [];
  const connections: NatsConnection[] = [];
  let server: NatsServer | undefined;
  afterEach(async () => {
    for (const q of clients.splice(0)) await q.close();
    for (const nc of connections.splice(0)) await nc.close();
    await stopAllNats();
    server = undefined;
  });
  afterAll(stopAllNats);

  async function setup(options: { ackTimeoutMs?: number; putTimeout?: number } = {}): Promise<{ q: JetStreamQueues; nc: NatsConnection; server: NatsServer }> {
    server = await startNats();
    const q = new JetStreamQueues({ servers: server.url, ...options });
    clients.push(q);
    const nc = await connect({ servers: server.url });
    connections.push(nc);
    return { q, nc, server };
  }

  it("a message over the server's max_payload is refused at once with EMSGSIZE (it was retried until the put's timeout)", async () => {
    const { q } = await setup({ putTimeout: 20_000 });
    await q.put("jobs", "fits");
    await expect(within(q.put("jobs", Buffer.alloc(2 * 1024 * 1024)), 5000, "the refusal")).rejects.toMatchObject({ code: "EMSGSIZE" });
    expect((await q.put("jobs", "still fine")).seq).toBe(2);
  });

  it("the stream refusing a put rejects it at once with a code: over the stream's max_msg_size is EMSGSIZE (was EINVAL)", async () => {
    const { q, nc } = await setup({ putTimeout: 20_000 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: queueStream("small"), subjects: [queueSubject("small")], retention: "workqueue" as never, max_msg_size: 1000 });
    expect((await q.put("small", Buffer.alloc(500))).seq).toBe(1);
    await expect(within(q.put("small", Buffer.alloc(1001)), 5000, "the refusal")).rejects.toMatchObject({
      code: "EMSGSIZE",
      message: expect.stringContaining("10054"),
    });
  });

  it("an attempt left unanswered past ackTimeoutMs is sent again with the same Nats-Msg-Id; the stream stores it once", async () => {
    const { q, nc, server: s } = await setup({ ackTimeoutMs: 200, putTimeout: 30_000 });
    expect((await q.put("jobs", "first")).seq).toBe(1);
    const ids: string[] = [];
    const seen = nc.subscribe(queueSubject("jobs"), { callback: (_e, m) => void ids.push(m.headers?.get("Nats-Msg-Id") ?? "") });
    await nc.flush();
    // The server stops answering (its process stopped), so the put's attempts go unanswered.
    await stopped(s.child!.pid!);
    let settled = false;
    let put: Promise<unknown>;
    try {
      put = q.put("jobs", "second").finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 1000)); // several ackTimeoutMs: attempts are being resent
    } finally {
      s.child!.kill("SIGCONT");
    }
    expect(settled).toBe(false);
    const receipt = await within(put!, 10_000, "the put after the server resumed");
    // The first copy was stored; every resend was recognised by its id.
    expect(receipt).toMatchObject({ seq: 2, duplicate: true });
    await within(
      (async () => {
        while (ids.length < 2) await nc.flush();
      })(),
      5000,
      "the resends seen on the subject",
    );
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).not.toBe("");
    seen.unsubscribe();
    expect(await q.queueDepth("jobs")).toMatchObject({ depth: 2 });
  });

  it("no responders (the stream has no leader, here none at all) is retried, then rejected with the retryable EUNAVAILABLE (was ETIMEDOUT); the next put makes the stream again", async () => {
    const { q, nc } = await setup();
    await q.put("jobs", "a");
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(queueStream("jobs"));
    await expect(within(q.put("jobs", "b", { timeout: 800 }), 5000, "the put without a stream")).rejects.toMatchObject({
      code: "EUNAVAILABLE",
      message: expect.stringContaining("no responders"),
    });
    expect(await within(q.put("jobs", "c", { timeout: 5000 }), 10_000, "a put once the stream is made again")).toMatchObject({ seq: 1, duplicate: false });
  });
});
