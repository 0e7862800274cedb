/**
 * A store that keeps nothing on disk: for tests and for brokers whose messages may be lost
 * with the process. Confirmations come on the next microtask, as if every sync were free.
 */
import type { QueueLog, RecoveredQueue, Store, StoreDescription, TopicSubscriptions } from "./store.js";

class MemoryQueueLog implements QueueLog {
  #nextSeq = 1;
  readonly segmentCount = 0;
  readonly bytes = 0;
  readonly writeError = null;
  readonly writeFailures = 0;

  append(_body: Buffer, done: (err: Error | null, seq: number) => void): number {
    const seq = this.#nextSeq++;
    queueMicrotask(() => done(null, seq));
    return seq;
  }

  ack(): void {}
  returned(): void {}
  async close(): Promise<void> {}
}

export class MemoryStore implements Store {
  #topics: TopicSubscriptions = new Map();
  readonly issues = [];

  async open(): Promise<RecoveredQueue[]> {
    return [];
  }

  createQueue(): QueueLog {
    return new MemoryQueueLog();
  }

  async loadTopics(): Promise<TopicSubscriptions> {
    return copyTopics(this.#topics);
  }

  async saveTopics(topics: TopicSubscriptions): Promise<void> {
    this.#topics = copyTopics(topics);
  }

  describe(): StoreDescription {
    return { kind: "memory", dataDir: null, sync: "none" };
  }

  async close(): Promise<void> {}
}

export function copyTopics(topics: TopicSubscriptions): TopicSubscriptions {
  return new Map([...topics].map(([t, subs]) => [t, new Set(subs)]));
}
