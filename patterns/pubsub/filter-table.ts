import { parseFilterDeclaration, type FilterDeclaration } from "./filter-wire.js";
import { compileWhere, FilterError } from "./where.js";

type Predicate = (value: unknown) => boolean;

interface Entry {
  declaration: FilterDeclaration;
  predicate: Predicate;
}

/**
 * The content filters subscribers declared upstream, as a publisher (or a filtering
 * forwarder) holds them: by topic, then by channel, so a published value is tested only
 * against the filters on its own topic, and a channel gets one copy however many of its
 * filters match.
 */
export class FilterTable {
  /** Topics a filter may name: a filter on any other could never match and is refused. */
  readonly #isTopic: (topic: string) => boolean;
  readonly #byDeclaration = new Map<string, Entry>();
  readonly #byTopic = new Map<string, Map<string, Predicate[]>>();
  #rejected = 0;

  constructor(isTopic: (topic: string) => boolean = () => true) {
    this.#isTopic = isTopic;
  }

  /** Active filters. */
  get size(): number {
    return this.#byDeclaration.size;
  }

  /** Declarations dropped: malformed, naming an unknown topic, or with a filter that did not compile. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Adds the filter a subscription declares; null (and counted) when it is not valid. */
  add(subscription: Buffer): FilterDeclaration | null {
    const key = subscription.toString("latin1");
    const known = this.#byDeclaration.get(key);
    if (known !== undefined) return known.declaration;
    const declaration = parseFilterDeclaration(subscription);
    let predicate: Predicate;
    try {
      if (declaration === null) throw new FilterError("malformed declaration");
      if (!this.#isTopic(declaration.topic)) throw new FilterError("no such topic");
      predicate = compileWhere(declaration.where);
    } catch {
      this.#rejected++;
      return null;
    }
    this.#byDeclaration.set(key, { declaration, predicate });
    let channels = this.#byTopic.get(declaration.topic);
    if (channels === undefined) this.#byTopic.set(declaration.topic, (channels = new Map()));
    const list = channels.get(declaration.channel);
    if (list === undefined) channels.set(declaration.channel, [predicate]);
    else list.push(predicate);
    return declaration;
  }

  /** Removes the filter a CANCEL names; null when it was not active. */
  remove(subscription: Buffer): FilterDeclaration | null {
    const key = subscription.toString("latin1");
    const entry = this.#byDeclaration.get(key);
    if (entry === undefined) return null;
    this.#byDeclaration.delete(key);
    const { topic, channel } = entry.declaration;
    const channels = this.#byTopic.get(topic)!;
    const list = channels.get(channel)!;
    list.splice(list.indexOf(entry.predicate), 1);
    if (list.length === 0) channels.delete(channel);
    if (channels.size === 0) this.#byTopic.delete(topic);
    return entry.declaration;
  }

  /** Whether any filter is declared on `topic` (so a forwarder must decode its messages). */
  has(topic: string): boolean {
    return this.#byTopic.has(topic);
  }

  /** Calls `visit` once for each channel with a filter on `topic` that `value` passes. */
  forEachMatch(topic: string, value: unknown, visit: (channel: string) => void): void {
    const channels = this.#byTopic.get(topic);
    if (channels === undefined) return;
    for (const [channel, predicates] of channels) {
      if (predicates.some((p) => passes(p, value))) visit(channel);
    }
  }
}

function passes(predicate: Predicate, value: unknown): boolean {
  try {
    return predicate(value);
  } catch {
    // A getter on the published object threw: the value does not pass.
    return false;
  }
}
