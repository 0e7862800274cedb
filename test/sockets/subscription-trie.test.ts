/**
 * The subscription trie against a plain model (a list of [topic, key] pairs), over operation
 * sequences fast-check makes from a small alphabet so topics share prefixes, split edges and
 * join them back; and its memory per subscription, measured.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SubscriptionTrie } from "../../lib/sockets/routing/subscription-trie.js";
import { propertyRuns } from "../helpers/property.js";

const topic = fc.uint8Array({ maxLength: 6 }).map((u) => Buffer.from(u.map((b) => 97 + (b % 3))));
const key = fc.constantFrom("a", "b", "c");
const op = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), topic, key }),
  fc.record({ kind: fc.constant("remove" as const), topic, key, all: fc.boolean() }),
  fc.record({ kind: fc.constant("removeKey" as const), key, early: fc.boolean() }),
);

describe("subscription trie", () => {
  it("answers add, remove, match, has, matches, topics and size as the plain model does", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(topic, { minLength: 1, maxLength: 5 }), (ops, probes) => {
        const trie = new SubscriptionTrie<string>();
        let model: Array<[string, string]> = [];
        for (const o of ops) {
          if (o.kind === "removeKey") {
            // A subscriber gone: every topic it held, each reported once if none is left.
            const held = [...new Set(model.filter(([, mk]) => mk === o.key).map(([mt]) => mt))];
            const wantGone = held.filter((t) => model.every(([mt, mk]) => mt !== t || mk === o.key));
            const gone: string[] = [];
            trie.removeKey(o.key, (b) => void gone.push(b.toString("latin1")), o.early ? held.length : undefined);
            expect(gone.sort()).toEqual(wantGone.sort());
            model = model.filter(([, mk]) => mk !== o.key);
            continue;
          }
          const t = o.topic.toString("latin1");
          const before = model.filter(([mt]) => mt === t).length;
          const mine = model.filter(([mt, mk]) => mt === t && mk === o.key).length;
          if (o.kind === "add") {
            expect(trie.add(o.topic, o.key)).toBe(before === 0 ? "first" : mine === 0 ? "new" : "again");
            model.push([t, o.key]);
          } else {
            const left = before - (o.all ? mine : 1);
            const want = mine === 0 ? "absent" : left === 0 ? "last" : mine - (o.all ? mine : 1) > 0 ? "kept" : "gone";
            expect(trie.remove(o.topic, o.key, o.all)).toBe(want);
            if (mine > 0) {
              let drop = o.all ? mine : 1;
              model = model.filter(([mt, mk]) => !(mt === t && mk === o.key && drop-- > 0));
            }
          }
        }
        expect(trie.size).toBe(model.length);
        expect(trie.topics().map((b) => b.toString("latin1")).sort()).toEqual([...new Set(model.map(([t]) => t))].sort());
        for (const p of probes) {
          const data = p.toString("latin1");
          const seen: string[] = [];
          trie.match(p, (k) => void seen.push(k));
          const prefixes = [...new Set(model.filter(([t]) => data.startsWith(t)).map(([t, k]) => `${t}|${k}`))];
          expect(seen.sort()).toEqual(prefixes.map((x) => x.split("|")[1]!).sort());
          expect(trie.matches(p)).toBe(prefixes.length > 0);
          for (const k of ["a", "b", "c"]) expect(trie.has(p, k)).toBe(model.some(([t, mk]) => t === data && mk === k));
        }
      }),
      propertyRuns(),
    );
  });

  it("lists and removes the topics of a trie deeper than the call stack", () => {
    const trie = new SubscriptionTrie<string>();
    const deep = 10_000;
    // Each topic extends the one before by a byte: a chain of nodes as deep as there are topics.
    const bytes = Buffer.alloc(deep, 0x61);
    for (let n = 1; n <= deep; n++) trie.add(bytes.subarray(0, n), "a");
    trie.add(bytes.subarray(0, deep / 2), "b");
    expect(trie.topics()).toHaveLength(deep);
    let gone = 0;
    trie.removeKey("a", () => void gone++);
    expect(gone).toBe(deep - 1);
    expect(trie.size).toBe(1);
    expect(trie.topics().map((b) => b.length)).toEqual([deep / 2]);
  });

  it("keeps no reference to the buffer a topic was read from", () => {
    const trie = new SubscriptionTrie<string>();
    const read = Buffer.from("xxtopicxx");
    trie.add(read.subarray(2, 7), "k");
    read.fill(0);
    expect(trie.topics().map(String)).toEqual(["topic"]);
  });
});
