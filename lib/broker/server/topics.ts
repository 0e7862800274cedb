/**
 * Durable topic subscriptions: each (topic, subscription) pair has its own queue, named by
 * subscriptionQueueOf, that keeps every message published to the topic from the moment the
 * subscription was made, whether or not its consumer is connected.
 */
import { subscriptionQueueOf } from "../model.js";
import type { Store, TopicSubscriptions } from "./store/store.js";

export class TopicRegistry {
  #topics: TopicSubscriptions = new Map();
  /** Saves run one after another, each writing the state as it is when it starts. */
  #saving: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    this.#topics = await this.store.loadTopics();
  }

  /** The queues a message published to `topic` goes to. */
  queuesOf(topic: string): string[] {
    const subs = this.#topics.get(topic);
    return subs === undefined ? [] : [...subs].map((s) => subscriptionQueueOf(topic, s));
  }

  /** Adds a subscription (idempotent); resolves once it is durable. */
  subscribe(topic: string, subscription: string): Promise<void> {
    let subs = this.#topics.get(topic);
    if (subs === undefined) this.#topics.set(topic, (subs = new Set()));
    if (subs.has(subscription)) return this.#saving;
    subs.add(subscription);
    return this.#save();
  }

  /** Removes a subscription; its queue and the messages in it stay. */
  unsubscribe(topic: string, subscription: string): Promise<void> {
    const subs = this.#topics.get(topic);
    if (subs === undefined || !subs.delete(subscription)) return this.#saving;
    if (subs.size === 0) this.#topics.delete(topic);
    return this.#save();
  }

  list(): { topic: string; subscriptions: string[] }[] {
    return [...this.#topics].map(([topic, subs]) => ({ topic, subscriptions: [...subs].sort() })).sort((a, b) => (a.topic < b.topic ? -1 : 1));
  }

  #save(): Promise<void> {
    const next = this.#saving.catch(() => {}).then(() => this.store.saveTopics(this.#topics));
    this.#saving = next;
    return next;
  }
}
