/**
 * The broker: a ROUTER socket that takes the protocol in PROTOCOL.md, a store that keeps
 * each queue's messages, and the queues, sessions and leases in memory. Every client request
 * is answered (OK or ERROR with a code); nothing a client sends can stop the broker.
 */
import { randomBytes } from "node:crypto";
import { Router } from "../../sockets/router.js";
import { zmqError } from "../../errors.js";
import { resolveBrokerOptions, type BrokerOptions, type ResolvedBrokerOptions } from "./broker-options.js";
import { LeaseBook } from "./leases.js";
import { isDeadLetterQueue, subscriptionQueueOf, type BrokerStats, type RecoveryIssue } from "../model.js";
import { decodeClientCommand, encodeBroker, encodeClient, ErrorCode, ProtocolViolation, u32, u64, type ClientCommand } from "../protocol.js";
import { BrokerQueue } from "./queue.js";
import { Session, type ConsumerRecord, type ServedQueue } from "./session.js";
import { DiskStore } from "./store/disk-store.js";
import { MemoryStore } from "./store/memory-store.js";
import type { QueueLog, Store } from "./store/store.js";
import { TopicRegistry } from "./topics.js";
import { withOptionErrors } from "../socket-options.js";

export type { BrokerOptions } from "./broker-options.js";

/** A session silent for this many heartbeat intervals has ended. */
const SESSION_TIMEOUT_HEARTBEATS = 3;

type State = "new" | "starting" | "running" | "closing" | "closed";

/**
 * The embedded durable-queue broker: one process that stores queues on disk (or in memory) and
 * serves `BrokerClient`s over a ROUTER socket (tcp, ipc, CURVE or PLAIN through `socketOptions`).
 * Messages are kept until acknowledged, leased to one consumer at a time, requeued when a
 * lease runs out and dead-lettered to `<queue>.dlq` after `maxDeliveries`. The command line's
 * `wiremq broker` runs one; the protocol is in lib/broker/PROTOCOL.md.
 *
 * @throws WiremqError `EINVAL` from the constructor for a bad option (no `bind`, `dataDir` and
 * `memory` both or neither, a bad `sync`...); `EFSM` from a second `start()`; what binding
 * throws (`EADDRINUSE`, ...) from `start()`.
 *
 * @example
 * ```ts
 * import { Broker, BrokerClient } from "wiremq/broker";
 * const broker = new Broker({ bind: "tcp://127.0.0.1:5570", dataDir: "./queues" });
 * await broker.start();
 * const client = new BrokerClient("tcp://127.0.0.1:5570");
 * await client.put("orders", JSON.stringify({ id: 1 }));
 * for await (const delivery of client.consume("orders")) {
 *   console.log(delivery.body.toString());
 *   await delivery.ack();
 *   break;   // closes the consumer
 * }
 * await client.close();
 * await broker.close();
 * ```
 */
export class Broker {
  readonly #opts: ResolvedBrokerOptions;
  readonly #store: Store;
  readonly #queues = new Map<string, ServedQueue>();
  /** By the client's routing id (latin1). */
  readonly #sessions = new Map<string, Session>();
  readonly #leases: LeaseBook;
  readonly #topics: TopicRegistry;
  readonly #brokerId: string;
  /** Made with the broker, so a refused socket option throws from the constructor. */
  readonly #socket: Router;
  /** The socket once bound and serving. */
  #router: Router | null = null;
  #endpoints: string[] = [];
  #timer: NodeJS.Timeout | null = null;
  #loop: Promise<void> | null = null;
  #state: State = "new";
  #startedAt = 0;
  #closing: Promise<void> | null = null;

  constructor(options: BrokerOptions) {
    this.#opts = resolveBrokerOptions(options);
    this.#store =
      this.#opts.dataDir === null
        ? new MemoryStore()
        : new DiskStore(this.#opts.dataDir, { sync: this.#opts.sync, segmentBytes: this.#opts.segmentBytes });
    this.#brokerId = this.#opts.brokerId ?? `broker-${randomBytes(4).toString("hex")}`;
    this.#leases = new LeaseBook({
      maxDeliveries: this.#opts.maxDeliveries,
      leaseTimeout: this.#opts.leaseTimeout,
      queueNamed: (name) => this.#queueNamed(name),
      send: (identity, frames) => this.#send(identity, frames),
    });
    this.#topics = new TopicRegistry(this.#store);
    this.#socket = withOptionErrors(
      () =>
        new Router({
          ...this.#opts.socketOptions,
          handover: true,
          sendHighWaterMark: 0,
          maxMessageSize: this.#opts.maxMessageBytes + 64 * 1024,
          // A client whose connection ends has said BYE: its session ends and what it held
          // goes back at once, instead of after 3 silent heartbeats.
          disconnectMessage: encodeClient.bye()[0]!,
        }),
    );
  }

  get brokerId(): string {
    return this.#brokerId;
  }

  /** The endpoints bound, with real ports (after start). */
  get endpoints(): string[] {
    return [...this.#endpoints];
  }

  /** What recovery found damaged in the store, with file and offset (after start). */
  get recovery(): readonly RecoveryIssue[] {
    return this.#store.issues;
  }

  /** Recovers the store, then binds. Resolves once clients can connect. */
  async start(): Promise<void> {
    if (this.#state !== "new") throw zmqError("EFSM", "Broker was already started");
    this.#state = "starting";
    const router = this.#socket;
    try {
      for (const q of await this.#store.open()) {
        const queue = this.#addQueue(q.name, q.log);
        for (const m of q.messages) queue.push(m);
      }
      await this.#topics.load();
      for (const ep of this.#opts.bind) {
        await router.bind(ep);
        this.#endpoints.push(router.lastEndpoint!);
      }
    } catch (err) {
      await router.close();
      await this.#closeStore();
      this.#state = "closed";
      throw err;
    }
    this.#router = router;
    this.#startedAt = Date.now();
    this.#state = "running";
    this.#loop = this.#receiveLoop(router);
    const tick = Math.min(this.#opts.heartbeatInterval, 1000);
    this.#timer = setInterval(() => this.#sweep(), tick);
    this.#timer.unref();
  }

  /** Stops taking requests, writes and syncs what the store holds, and closes. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #shutdown(): Promise<void> {
    if (this.#state === "new" || this.#state === "closed") {
      if (this.#state === "new") await this.#socket.close();
      this.#state = "closed";
      return;
    }
    this.#state = "closing";
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#router?.close();
    await this.#loop;
    await this.#closeStore();
    this.#state = "closed";
  }

  async #closeStore(): Promise<void> {
    for (const q of this.#queues.values()) await q.log.close();
    await this.#store.close();
  }

  /** Queues, sessions and store figures now (after start). */
  stats(): BrokerStats {
    let consumers = 0;
    for (const s of this.#sessions.values()) consumers += s.consumers.size;
    const queues = [...this.#queues.values()].map((q) => q.stats()).sort((a, b) => (a.name < b.name ? -1 : 1));
    return {
      brokerId: this.#brokerId,
      endpoints: this.endpoints,
      startedAt: new Date(this.#startedAt).toISOString(),
      uptimeMs: this.#startedAt === 0 ? 0 : Date.now() - this.#startedAt,
      store: this.#store.describe(),
      sessions: this.#sessions.size,
      consumers,
      queues,
      topics: this.#topics.list(),
      recovery: [...this.#store.issues],
    };
  }

  // ---- queues and sessions --------------------------------------------------------------------

  #queueNamed(name: string): ServedQueue {
    return this.#queues.get(name) ?? this.#addQueue(name, this.#store.createQueue(name));
  }

  #addQueue(name: string, log: QueueLog): ServedQueue {
    const queue = new BrokerQueue<ConsumerRecord>(name, log, isDeadLetterQueue(name), this.#leases.deliver);
    this.#queues.set(name, queue);
    return queue;
  }

  #endConsumer(consumer: ConsumerRecord): void {
    // Off the queue first, so the messages given back are not handed to it again.
    consumer.queue.removeConsumer(consumer);
    consumer.session.consumers.delete(consumer.subId);
    this.#leases.releaseConsumer(consumer);
  }

  #endSession(session: Session): void {
    this.#sessions.delete(session.identity.toString("latin1"));
    for (const c of [...session.consumers.values()]) this.#endConsumer(c);
  }

  #sweep(): void {
    const now = Date.now();
    const silentSince = now - SESSION_TIMEOUT_HEARTBEATS * this.#opts.heartbeatInterval;
    for (const s of [...this.#sessions.values()]) if (s.lastSeen < silentSince) this.#endSession(s);
    this.#leases.expire(now);
  }

  // ---- requests -------------------------------------------------------------------------------

  async #receiveLoop(router: Router): Promise<void> {
    try {
      for await (const msg of router) this.#onMessage(msg);
    } catch {
      // The socket closed under a pending receive: shutting down.
    }
  }

  #send(identity: Buffer, frames: Buffer[]): void {
    const router = this.#router;
    if (router === null || this.#state === "closed") return;
    frames.unshift(identity);
    // Not mandatory, unlimited HWM: send never waits; a client gone meanwhile is dropped.
    router.send(frames).catch(() => {});
  }

  #fail(identity: Buffer, reqId: number, code: string, message: string): void {
    this.#send(identity, encodeBroker.error(reqId, code, message));
  }

  #onMessage(msg: Buffer[]): void {
    const identity = msg[0]!;
    // An empty message is a DEALER's probe (probeRouter), not a request.
    if (msg.length === 2 && msg[1]!.length === 0) return;
    let cmd: ClientCommand;
    try {
      cmd = decodeClientCommand(msg.slice(1));
    } catch (err) {
      if (err instanceof ProtocolViolation) this.#fail(identity, err.reqId, err.code, err.message);
      else this.#fail(identity, 0, ErrorCode.INTERNAL, String(err));
      return;
    }
    // Puts need no session; the client's pings keep it alive, so skip the lookup for them.
    const session = cmd.cmd === "PUT" || cmd.cmd === "PUBLISH" ? null : (this.#sessions.get(identity.toString("latin1")) ?? null);
    if (session !== null) session.lastSeen = Date.now();
    try {
      this.#handle(identity, session, cmd);
    } catch (err) {
      this.#fail(identity, "reqId" in cmd ? cmd.reqId : 0, ErrorCode.INTERNAL, String(err));
    }
  }

  #handle(identity: Buffer, session: Session | null, cmd: ClientCommand): void {
    if (this.#state !== "running") {
      if ("reqId" in cmd) this.#fail(identity, cmd.reqId, ErrorCode.TERM, "broker is shutting down");
      return;
    }
    switch (cmd.cmd) {
      case "HELLO":
        return this.#hello(identity, session, cmd.reqId, cmd.version);
      case "PING":
        return this.#send(identity, encodeBroker.pong(session?.id ?? null));
      case "BYE":
        if (session !== null) this.#endSession(session);
        return;
      case "PUT":
        return this.#put(identity, cmd.reqId, cmd.queue, cmd.body);
      case "PUBLISH":
        return this.#publish(identity, cmd.reqId, cmd.topic, cmd.body);
      case "SUBSCRIBE":
      case "UNSUBSCRIBE": {
        const { reqId, topic, subscription } = cmd;
        const queue = subscriptionQueueOf(topic, subscription);
        const change = cmd.cmd === "SUBSCRIBE" ? this.#topics.subscribe(topic, subscription) : this.#topics.unsubscribe(topic, subscription);
        change.then(
          () => this.#send(identity, encodeBroker.ok(reqId, Buffer.from(queue))),
          (err: Error) => this.#fail(identity, reqId, ErrorCode.IO, err.message),
        );
        return;
      }
      case "STATS":
        return this.#send(identity, encodeBroker.ok(cmd.reqId, Buffer.from(JSON.stringify(this.stats()))));
      default:
        break;
    }
    // The rest act on deliveries, which belong to a session.
    if (session === null) return this.#fail(identity, cmd.reqId, ErrorCode.SESSION, "no session: send HELLO");
    switch (cmd.cmd) {
      case "CONSUME": {
        if (session.consumers.has(cmd.subId)) return this.#fail(identity, cmd.reqId, ErrorCode.EXIST, "subscription id in use");
        const queue = this.#queueNamed(cmd.queue);
        const consumer: ConsumerRecord = { session, subId: cmd.subId, queue, credit: cmd.credit, leaseMs: cmd.leaseMs, leases: new Map() };
        session.consumers.set(cmd.subId, consumer);
        // OK first: the client then knows the subscription (and its lease) before its first DELIVER.
        this.#send(identity, encodeBroker.ok(cmd.reqId, u32(this.#leases.leaseOf(consumer))));
        queue.addConsumer(consumer);
        return;
      }
      case "CANCEL": {
        const consumer = session.consumers.get(cmd.subId);
        if (consumer === undefined) return this.#fail(identity, cmd.reqId, ErrorCode.NOENT, "no such subscription");
        this.#endConsumer(consumer);
        return this.#send(identity, encodeBroker.ok(cmd.reqId));
      }
      case "ACK":
        if (!this.#leases.ack(session, cmd.tag)) return this.#fail(identity, cmd.reqId, ErrorCode.NOENT, "no such delivery");
        return this.#send(identity, encodeBroker.ok(cmd.reqId));
      case "NACK": {
        const outcome = this.#leases.nack(session, cmd.tag, cmd.deadLetter, cmd.error);
        if (outcome === null) return this.#fail(identity, cmd.reqId, ErrorCode.NOENT, "no such delivery");
        return this.#send(identity, encodeBroker.ok(cmd.reqId, Buffer.from(outcome)));
      }
      case "EXTEND": {
        const granted = this.#leases.extend(session, cmd.tag, cmd.leaseMs);
        if (granted === null) return this.#fail(identity, cmd.reqId, ErrorCode.NOENT, "no such delivery");
        return this.#send(identity, encodeBroker.ok(cmd.reqId, u32(granted)));
      }
    }
  }

  #hello(identity: Buffer, session: Session | null, reqId: number, version: number): void {
    if (version !== 1) return this.#fail(identity, reqId, ErrorCode.VERSION, `protocol version ${version} not supported (1 is)`);
    // A HELLO starts afresh: whatever the old session of this client held goes back.
    if (session !== null) this.#endSession(session);
    const fresh = new Session(identity, Date.now());
    this.#sessions.set(identity.toString("latin1"), fresh);
    this.#send(
      identity,
      encodeBroker.ok(reqId, fresh.id, u32(this.#opts.heartbeatInterval), Buffer.from(this.#brokerId), u32(this.#opts.maxMessageBytes)),
    );
  }

  #put(identity: Buffer, reqId: number, name: string, body: Buffer): void {
    if (body.length > this.#opts.maxMessageBytes) return this.#fail(identity, reqId, ErrorCode.MSGSIZE, "message too large");
    const queue = this.#queueNamed(name);
    // The frame may be a view into a large receive chunk; keep only its own bytes.
    const own = Buffer.from(body);
    queue.log.append(own, (err, seq) => {
      if (err !== null) return this.#fail(identity, reqId, ErrorCode.IO, err.message);
      queue.puts.mark();
      queue.push({ seq, body: own, attempts: 0 });
      this.#send(identity, encodeBroker.ok(reqId, u64(seq)));
    });
  }

  /** Stores a copy in every subscription's queue; confirms once all are stored. */
  #publish(identity: Buffer, reqId: number, topic: string, body: Buffer): void {
    if (body.length > this.#opts.maxMessageBytes) return this.#fail(identity, reqId, ErrorCode.MSGSIZE, "message too large");
    const names = this.#topics.queuesOf(topic);
    if (names.length === 0) return this.#send(identity, encodeBroker.ok(reqId, u32(0)));
    const own = Buffer.from(body);
    let left = names.length;
    let failure: Error | null = null;
    for (const name of names) {
      const queue = this.#queueNamed(name);
      queue.log.append(own, (err, seq) => {
        if (err !== null) failure ??= err;
        else {
          queue.puts.mark();
          queue.push({ seq, body: own, attempts: 0 });
        }
        if (--left > 0) return;
        if (failure !== null) this.#fail(identity, reqId, ErrorCode.IO, failure.message);
        else this.#send(identity, encodeBroker.ok(reqId, u32(names.length)));
      });
    }
  }
}
