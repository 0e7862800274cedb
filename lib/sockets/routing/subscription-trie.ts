/**
 * Prefix trie of subscriptions with compressed paths (a radix tree): an edge holds a run of
 * bytes, so a subscription costs about one node however long its topic, and one more where it
 * branches off another. Matching a message walks only the bytes of its first frame, so its cost
 * does not grow with subscriptions that do not match. Each node counts subscribers of type K
 * (a pipe for PUB, a single owner for SUB); the usual single subscriber is held without a Map.
 *
 * Memory is what a flood of subscriptions from a peer costs, so every node is kept small: an
 * edge is a latin1 string, one char per byte (a typed array costs an ArrayBuffer and a view,
 * over 100 B; a short string a 16-byte header); children are an array sorted by first byte (a
 * Map costs about 200 B even with two entries); and no count of subscriptions below a node is
 * kept, since a node with no subscriber and no child is the only thing pruning needs to see.
 */
class Node<K> {
  /** Children sorted by the first byte of their edge; null for a leaf. */
  children: Node<K>[] | null = null;
  /** The single subscriber (with `count` subscriptions), or a Map once there are several. */
  subs: K | Map<K, number> | undefined = undefined;
  /** The single subscriber's subscriptions; -1 while `subs` is a Map (cheaper than instanceof). */
  count = 0;

  constructor(
    /** The bytes on the edge from the parent to this node, one latin1 char each. */
    public edge: string,
  ) {}

  get subscriberCount(): number {
    return this.count < 0 ? (this.subs as Map<K, number>).size : this.count > 0 ? 1 : 0;
  }

  countOf(key: K): number {
    if (this.count < 0) return (this.subs as Map<K, number>).get(key) ?? 0;
    return this.count > 0 && this.subs === key ? this.count : 0;
  }

  setCount(key: K, count: number): void {
    if (this.count < 0) {
      const many = this.subs as Map<K, number>;
      if (count > 0) many.set(key, count);
      else many.delete(key);
      if (many.size === 1) {
        // Back to one subscriber: drop the Map so a topic left with one costs no more than before.
        const [[k, c]] = many;
        this.subs = k;
        this.count = c;
      }
    } else if (this.count === 0 || this.subs === key) {
      this.subs = count > 0 ? key : undefined;
      this.count = count;
    } else if (count > 0) {
      this.subs = new Map([[this.subs as K, this.count], [key, count]]);
      this.count = -1;
    }
  }

  forEachSubscriber(visit: (key: K) => void): void {
    if (this.count < 0) for (const key of (this.subs as Map<K, number>).keys()) visit(key);
    else if (this.count > 0) visit(this.subs as K);
  }

  /** The index of the child whose edge starts with `byte`, or -(insertion point) - 1. */
  find(byte: number): number {
    const c = this.children;
    if (c === null) return -1;
    let lo = 0;
    let hi = c.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = c[mid]!.edge.charCodeAt(0);
      if (b === byte) return mid;
      if (b < byte) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  child(byte: number): Node<K> | undefined {
    const i = this.find(byte);
    return i >= 0 ? this.children![i] : undefined;
  }

  /** Puts `node` where a child starting with the same byte is, or inserts it in order. */
  setChild(node: Node<K>): void {
    const i = this.find(node.edge.charCodeAt(0));
    if (i >= 0) this.children![i] = node;
    else if (this.children === null) this.children = [node];
    else this.children.splice(-i - 1, 0, node);
  }

  removeChild(byte: number): void {
    const i = this.find(byte);
    if (i < 0) return;
    if (this.children!.length === 1) this.children = null;
    else this.children!.splice(i, 1);
  }
}

/** How many bytes of `edge` equal `data` from `at`. */
function common(edge: string, data: Uint8Array, at: number): number {
  const n = Math.min(edge.length, data.length - at);
  let i = 0;
  while (i < n && edge.charCodeAt(i) === data[at + i]) i++;
  return i;
}

/** `data` from `at` as latin1: a string of its own, not keeping a read buffer alive. */
function edgeOf(data: Uint8Array, at: number): string {
  return Buffer.from(data.buffer, data.byteOffset + at, data.length - at).toString("latin1");
}

/** What `add` changed: the topic had no subscriber; `key` newly holds it; `key` held it already. */
export type Added = "first" | "new" | "again";

/**
 * What `remove` changed: `key` held no subscription to the topic; the topic has no subscriber
 * left; `key` no longer holds it but others do; `key` still holds it (it had several).
 */
export type Removed = "absent" | "last" | "gone" | "kept";

export class SubscriptionTrie<K> {
  private readonly root = new Node<K>("");
  #size = 0;

  /** Adds one subscription of `key` to `topic`. */
  add(topic: Uint8Array, key: K): Added {
    let node = this.root;
    let i = 0;
    while (i < topic.length) {
      const at = node.find(topic[i]!);
      if (at < 0) {
        const leaf = new Node<K>(edgeOf(topic, i));
        if (node.children === null) node.children = [leaf];
        else node.children.splice(-at - 1, 0, leaf);
        node = leaf;
        break;
      }
      let child = node.children![at]!;
      const n = common(child.edge, topic, i);
      if (n < child.edge.length) {
        // The topic leaves this edge part-way: split it at the branching byte.
        const mid = new Node<K>(child.edge.slice(0, n));
        child.edge = child.edge.slice(n);
        mid.children = [child];
        node.children![at] = mid;
        child = mid;
      }
      node = child;
      i += n;
    }
    this.#size++;
    const had = node.countOf(key);
    const wasEmpty = node.subscriberCount === 0;
    node.setCount(key, had + 1);
    return wasEmpty ? "first" : had === 0 ? "new" : "again";
  }

  /** Removes one subscription of `key` to `topic` (all of them with `all`). */
  remove(topic: Uint8Array, key: K, all = false): Removed {
    const path = this.pathTo(topic);
    if (path === null) return "absent";
    const node = path[path.length - 1]!;
    const count = node.countOf(key);
    if (count === 0) return "absent";
    const removed = all ? count : 1;
    node.setCount(key, count - removed);
    this.#size -= removed;
    const result = node.subscriberCount === 0 ? "last" : count > removed ? "kept" : "gone";
    if (result === "last") this.prune(path);
    return result;
  }

  /**
   * Removes every subscription of `key` (a subscriber gone), calling `gone` with each topic
   * left with no subscriber. Walks the whole trie, as libzmq's does: nothing need be kept per
   * key, which a flood of subscriptions would make cost as much as the trie. `distinct` (the
   * topics `key` holds, when known) ends the walk once all are found.
   */
  removeKey(key: K, gone: (topic: Buffer) => void, distinct = Infinity): void {
    let left = distinct;
    // Depth-first without recursion (a trie of nested topics can be deeper than the call
    // stack): the nodes from the root to the current one, and the next child of each to visit.
    const path: Node<K>[] = [this.root];
    const next: number[] = [-1];
    while (path.length > 0 && left > 0) {
      const depth = path.length - 1;
      const node = path[depth]!;
      const i = next[depth]!;
      if (i < 0) {
        const count = node.countOf(key);
        if (count > 0) {
          node.setCount(key, 0);
          this.#size -= count;
          left--;
          if (node.subscriberCount === 0) gone(Buffer.from(path.map((n) => n.edge).join(""), "latin1"));
        }
        next[depth] = 0;
      } else if (node.children !== null && i < node.children.length) {
        next[depth] = i + 1;
        path.push(node.children[i]!);
        next.push(-1);
      } else {
        path.pop();
        next.pop();
        // A child dropped from its parent's array moves the next one to its index.
        if (depth > 0 && this.tidy(node, path[depth - 1]!)) next[depth - 1]!--;
      }
    }
    // Stopped early: tidy the nodes still on the path, deepest first.
    for (let d = path.length - 1; d > 0; d--) this.tidy(path[d]!, path[d - 1]!);
  }

  /**
   * After a subscription left `node`: drops it if empty (returns true), or joins it with a
   * lone child, which takes its place.
   */
  private tidy(node: Node<K>, parent: Node<K>): boolean {
    if (node.subscriberCount > 0) return false;
    if (node.children === null) {
      parent.removeChild(node.edge.charCodeAt(0));
      return true;
    }
    if (node.children.length === 1) {
      const only = node.children[0]!;
      only.edge = node.edge + only.edge;
      parent.setChild(only);
    }
    return false;
  }

  /** Prunes branches left with no subscriptions along `path`, then joins a lone child back. */
  private prune(path: Node<K>[]): void {
    let i = path.length - 1;
    while (i > 0 && path[i]!.subscriberCount === 0 && path[i]!.children === null) {
      path[i - 1]!.removeChild(path[i]!.edge.charCodeAt(0));
      i--;
    }
    const keep = path[i]!;
    if (i > 0 && keep.subscriberCount === 0 && keep.children !== null && keep.children.length === 1) {
      const only = keep.children[0]!;
      only.edge = keep.edge + only.edge;
      path[i - 1]!.setChild(only);
    }
  }

  /** The nodes from the root to the node that `topic` ends at exactly, or null. */
  private pathTo(topic: Uint8Array): Node<K>[] | null {
    const path: Node<K>[] = [this.root];
    let node = this.root;
    let i = 0;
    while (i < topic.length) {
      const child = node.child(topic[i]!);
      if (child === undefined || common(child.edge, topic, i) !== child.edge.length) return null;
      i += child.edge.length;
      node = child;
      path.push(node);
    }
    return path;
  }

  /** Calls `visit` for every subscriber whose prefix matches `data` (once per matching prefix). */
  match(data: Uint8Array, visit: (key: K) => void): void {
    let node: Node<K> | undefined = this.root;
    let i = 0;
    while (node !== undefined) {
      node.forEachSubscriber(visit);
      if (i === data.length || node.children === null) return;
      node = node.child(data[i]!);
      if (node === undefined || common(node.edge, data, i) !== node.edge.length) return;
      i += node.edge.length;
    }
  }

  /** True when `key` holds a subscription to exactly `topic`. */
  has(topic: Uint8Array, key: K): boolean {
    const path = this.pathTo(topic);
    return path !== null && path[path.length - 1]!.countOf(key) > 0;
  }

  /** True when any prefix of `data` has a subscriber. */
  matches(data: Uint8Array): boolean {
    let node: Node<K> | undefined = this.root;
    let i = 0;
    while (node !== undefined) {
      if (node.subscriberCount > 0) return true;
      if (i === data.length || node.children === null) return false;
      node = node.child(data[i]!);
      if (node === undefined || common(node.edge, data, i) !== node.edge.length) return false;
      i += node.edge.length;
    }
    return false;
  }

  /** Every distinct topic that has at least one subscriber. */
  topics(): Buffer[] {
    const out: Buffer[] = [];
    const prefix: number[] = [];
    // An explicit stack, as in removeKey: a peer's nested topics can outrun the call stack.
    const stack: Array<{ node: Node<K>; exit: boolean }> = [{ node: this.root, exit: false }];
    while (stack.length > 0) {
      const { node, exit } = stack.pop()!;
      if (exit) {
        prefix.length -= node.edge.length;
        continue;
      }
      for (let j = 0; j < node.edge.length; j++) prefix.push(node.edge.charCodeAt(j));
      if (node.subscriberCount > 0) out.push(Buffer.from(prefix));
      stack.push({ node, exit: true });
      if (node.children !== null) for (let c = node.children.length - 1; c >= 0; c--) stack.push({ node: node.children[c]!, exit: false });
    }
    return out;
  }

  get size(): number {
    return this.#size;
  }
}
