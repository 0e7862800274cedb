/**
 * Consistent hashing of queue names over broker endpoints: each endpoint owns many points on
 * a 32-bit ring, and a name belongs to the first point at or after its hash. Adding or
 * removing one broker moves only the names next to its points. Every client given the same
 * endpoints (in any order) agrees on the owners.
 */
const POINTS_PER_NODE = 128;

/** FNV-1a, 32 bits: deterministic across processes and versions, unlike a seeded hash. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  // FNV's low bits mix poorly for short keys; a final avalanche spreads the ring points.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export class HashRing {
  readonly #points: { hash: number; node: string }[] = [];
  readonly nodes: readonly string[];

  constructor(nodes: readonly string[]) {
    this.nodes = [...new Set(nodes)];
    for (const node of this.nodes) {
      for (let i = 0; i < POINTS_PER_NODE; i++) this.#points.push({ hash: fnv1a(`${node}#${i}`), node });
    }
    this.#points.sort((a, b) => a.hash - b.hash || (a.node < b.node ? -1 : 1));
  }

  /** Every node, in the order a name tries them: its owner first, then the next ones round the ring. */
  preference(name: string): string[] {
    const points = this.#points;
    if (points.length === 0) return [];
    const h = fnv1a(name);
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid]!.hash < h) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = 0; i < points.length && out.length < this.nodes.length; i++) {
      const node = points[(lo + i) % points.length]!.node;
      if (!out.includes(node)) out.push(node);
    }
    return out;
  }

  owner(name: string): string | undefined {
    return this.preference(name)[0];
  }
}
