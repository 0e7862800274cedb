/**
 * No import cycle in lib/ or patterns/ (type-only imports count). The core engineer's
 * architecture test may absorb this; the graph reader is test/helpers/import-graph.ts.
 */
import { describe, expect, it } from "vitest";
import { importCycles, importGraph, importsOf } from "../helpers/import-graph.js";

describe("import cycles", () => {
  it("the reader finds static, type-only, re-export and dynamic imports, and a cycle among them", () => {
    const text = ['import { a } from "./a.js";', 'import type { B } from "./b.js";', 'export { c } from "./c.js";', 'const d = await import("./d.js");', 'import "./e.js";'].join("\n");
    expect(importsOf(text)).toEqual(["./a.js", "./b.js", "./c.js", "./e.js", "./d.js"].sort((x, y) => text.indexOf(x) - text.indexOf(y)));
    const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]);
    expect(importCycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it.each(["lib", "patterns"])("%s/ has none", (root) => {
    expect(importCycles(importGraph(root))).toEqual([]);
  });
});
