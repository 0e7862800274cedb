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
);

describe("subscription trie", () => {
  it("answers add, remove, match, has, matches, topics and size as the plain model does", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(topic, { minLength: 1, maxLength: 5 }), (ops, probes) => {
        const trie = new SubscriptionTrie<string>();
        let model: Array<[string, string]> = [];
        for (const o of ops) {
          const t = o.topic.toString("latin1");
          const before = model.filter(([mt]) => mt === t).length;
          if (o.kind === "add") {
            expect(trie.add(o.topic, o.key)).toBe(before === 0);
            model.push([t, o.key]);
          } else {
            const mine = model.filter(([mt, mk]) => mt === t && mk === o.key).length;
            const want = mine === 0 ? "absent" : before - (o.all ? mine : 1) === 0 ? "last" : "kept";
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

  it("keeps no reference to the buffer a topic was read from", () => {
    const trie = new SubscriptionTrie<string>();
    const read = Buffer.from("xxtopicxx");
    trie.add(read.subarray(2, 7), "k");
    read.fill(0);
    expect(trie.topics().map(String)).toEqual(["topic"]);
  });
});
