/**
 * Prefix trie of subscriptions with compressed paths (a radix tree): an edge holds a run of
 * bytes, so a subscription costs about one node however long its topic, and one more where it
 * branches off another. Matching a message walks only the bytes of its first frame, so its cost
 * does not grow with subscriptions that do not match. Each node counts subscribers of type K
 * (a pipe for PUB, a single owner for SUB); the usual single subscriber is held without a Map.
 * An edge is a latin1 string, one char per byte: a typed array costs an ArrayBuffer and a
 * view on the heap (over 100 B), a short string a 16-byte header.
 */
class Node<K> {
  /** Children by the first byte of their edge. */
  children: Map<number, Node<K>> | null = null;
  /** The only subscriber whose prefix ends here, while there is one; `many` takes over beyond. */
  one: K | undefined = undefined;
  oneCount = 0;
  many: Map<K, number> | null = null;
  /** Subscriptions at this node and below; lets removal prune empty branches. */
  total = 0;

  constructor(
    /** The bytes on the edge from the parent to this node, one latin1 char each. */
    public edge: string,
  ) {}

  get subscriberCount(): number {
    return this.many !== null ? this.many.size : this.oneCount > 0 ? 1 : 0;
  }

  countOf(key: K): number {
    if (this.many !== null) return this.many.get(key) ?? 0;
    return this.oneCount > 0 && this.one === key ? this.oneCount : 0;
  }

  setCount(key: K, count: number): void {
    if (this.many !== null) {
      if (count > 0) this.many.set(key, count);
      else this.many.delete(key);
    } else if (this.oneCount === 0 || this.one === key) {
      this.one = count > 0 ? key : undefined;
      this.oneCount = count;
    } else if (count > 0) {
      this.many = new Map([[this.one as K, this.oneCount], [key, count]]);
      this.one = undefined;
      this.oneCount = 0;
    }
  }

  forEachSubscriber(visit: (key: K) => void): void {
    if (this.many !== null) for (const key of this.many.keys()) visit(key);
    else if (this.oneCount > 0) visit(this.one as K);
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

export class SubscriptionTrie<K> {
  private readonly root = new Node<K>("");

  /** Adds one subscription; returns true when `topic` had no subscriber at all before. */
  add(topic: Uint8Array, key: K): boolean {
    let node = this.root;
    node.total++;
    let i = 0;
    while (i < topic.length) {
      node.children ??= new Map();
      let child = node.children.get(topic[i]!);
      if (child === undefined) {
        child = new Node<K>(edgeOf(topic, i));
        node.children.set(topic[i]!, child);
        child.total = 1;
        node = child;
        break;
      }
      const n = common(child.edge, topic, i);
      if (n < child.edge.length) {
        // The topic leaves this edge part-way: split it at the branching byte.
        const mid = new Node<K>(child.edge.slice(0, n));
        child.edge = child.edge.slice(n);
        mid.children = new Map([[child.edge.charCodeAt(0), child]]);
        mid.total = child.total;
        node.children.set(topic[i]!, mid);
        child = mid;
      }
      child.total++;
      node = child;
      i += n;
    }
    const wasEmpty = node.subscriberCount === 0;
    node.setCount(key, node.countOf(key) + 1);
    return wasEmpty;
  }

  /**
   * Removes one subscription of `key` to `topic` (all of them with `all`). Returns
   * "absent" if it had none, "last" if `topic` now has no subscriber at all, else "kept".
   */
  remove(topic: Uint8Array, key: K, all = false): "absent" | "last" | "kept" {
    const path = this.pathTo(topic);
    if (path === null) return "absent";
    const node = path[path.length - 1]!;
    const count = node.countOf(key);
    if (count === 0) return "absent";
    const removed = all ? count : 1;
    node.setCount(key, count - removed);
    for (const n of path) n.total -= removed;
    const last = node.subscriberCount === 0 ? "last" : "kept";
    // Prune branches left with no subscriptions, then join a lone child back into its parent.
    let i = path.length - 1;
    while (i > 0 && path[i]!.total === 0) {
      path[i - 1]!.children!.delete(path[i]!.edge.charCodeAt(0));
      i--;
    }
    const keep = path[i]!;
    if (i > 0 && keep.subscriberCount === 0 && keep.children !== null && keep.children.size === 1) {
      const [only] = keep.children.values();
      only!.edge = keep.edge + only!.edge;
      path[i - 1]!.children!.set(only!.edge.charCodeAt(0), only!);
    }
    return last;
  }

  /** The nodes from the root to the node that `topic` ends at exactly, or null. */
  private pathTo(topic: Uint8Array): Node<K>[] | null {
    const path: Node<K>[] = [this.root];
    let node = this.root;
    let i = 0;
    while (i < topic.length) {
      const child = node.children?.get(topic[i]!);
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
      node = node.children.get(data[i]!);
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
      node = node.children.get(data[i]!);
      if (node === undefined || common(node.edge, data, i) !== node.edge.length) return false;
      i += node.edge.length;
    }
    return false;
  }

  /** Every distinct topic that has at least one subscriber. */
  topics(): Buffer[] {
    const out: Buffer[] = [];
    const walk = (node: Node<K>, prefix: number[]): void => {
      for (let j = 0; j < node.edge.length; j++) prefix.push(node.edge.charCodeAt(j));
      if (node.subscriberCount > 0) out.push(Buffer.from(prefix));
      if (node.children !== null) for (const child of node.children.values()) walk(child, prefix);
      prefix.length -= node.edge.length;
    };
    walk(this.root, []);
    return out;
  }

  get size(): number {
    return this.root.total;
  }
}
