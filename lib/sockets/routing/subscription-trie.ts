/**
 * Prefix trie of subscriptions, keyed byte by byte. Matching a message walks only the bytes of
 * its first frame, so its cost does not grow with subscriptions that do not match.
 * Each node counts subscribers of type K (a pipe for PUB, a single owner for SUB).
 */
class Node<K> {
  children: Map<number, Node<K>> | null = null;
  /** Subscribers whose prefix ends exactly here, with how many times each subscribed. */
  subs: Map<K, number> | null = null;
  /** Subscriptions at this node and below; lets removal prune empty branches. */
  total = 0;
}

export class SubscriptionTrie<K> {
  private readonly root = new Node<K>();

  /** Adds one subscription; returns true when `topic` had no subscriber at all before. */
  add(topic: Uint8Array, key: K): boolean {
    let node = this.root;
    node.total++;
    for (let i = 0; i < topic.length; i++) {
      const b = topic[i]!;
      if (node.children === null) node.children = new Map();
      let next = node.children.get(b);
      if (next === undefined) {
        next = new Node<K>();
        node.children.set(b, next);
      }
      node = next;
      node.total++;
    }
    if (node.subs === null) node.subs = new Map();
    const wasEmpty = node.subs.size === 0;
    node.subs.set(key, (node.subs.get(key) ?? 0) + 1);
    return wasEmpty;
  }

  /**
   * Removes one subscription of `key` to `topic` (all of them with `all`). Returns
   * "absent" if it had none, "last" if `topic` now has no subscriber at all, else "kept".
   */
  remove(topic: Uint8Array, key: K, all = false): "absent" | "last" | "kept" {
    const path: Node<K>[] = [this.root];
    let node = this.root;
    for (let i = 0; i < topic.length; i++) {
      const next = node.children?.get(topic[i]!);
      if (next === undefined) return "absent";
      node = next;
      path.push(node);
    }
    const count = node.subs?.get(key);
    if (count === undefined) return "absent";
    const removed = all ? count : 1;
    if (count > removed) node.subs!.set(key, count - removed);
    else node.subs!.delete(key);
    for (const n of path) n.total -= removed;
    // Prune branches left with no subscriptions.
    for (let i = path.length - 1; i > 0; i--) {
      if (path[i]!.total > 0) break;
      path[i - 1]!.children!.delete(topic[i - 1]!);
    }
    return node.subs!.size === 0 ? "last" : "kept";
  }

  /** Calls `visit` for every subscriber whose prefix matches `data` (once per matching prefix). */
  match(data: Uint8Array, visit: (key: K) => void): void {
    let node: Node<K> | undefined = this.root;
    let i = 0;
    while (node !== undefined) {
      if (node.subs !== null) for (const key of node.subs.keys()) visit(key);
      if (i === data.length || node.children === null) return;
      node = node.children.get(data[i++]!);
    }
  }

  /** True when `key` holds a subscription to exactly `topic`. */
  has(topic: Uint8Array, key: K): boolean {
    let node: Node<K> | undefined = this.root;
    for (let i = 0; i < topic.length && node !== undefined; i++) node = node.children?.get(topic[i]!);
    return node?.subs?.has(key) ?? false;
  }

  /** True when any prefix of `data` has a subscriber. */
  matches(data: Uint8Array): boolean {
    let node: Node<K> | undefined = this.root;
    let i = 0;
    while (node !== undefined) {
      if (node.subs !== null && node.subs.size > 0) return true;
      if (i === data.length || node.children === null) return false;
      node = node.children.get(data[i++]!);
    }
    return false;
  }

  /** Every distinct topic that has at least one subscriber. */
  topics(): Buffer[] {
    const out: Buffer[] = [];
    const walk = (node: Node<K>, prefix: number[]): void => {
      if (node.subs !== null && node.subs.size > 0) out.push(Buffer.from(prefix));
      if (node.children !== null) {
        for (const [b, child] of node.children) {
          prefix.push(b);
          walk(child, prefix);
          prefix.pop();
        }
      }
    };
    walk(this.root, []);
    return out;
  }

  get size(): number {
    return this.root.total;
  }
}
