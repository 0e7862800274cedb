/**
 * The layer rules of docs/ARCHITECTURE.md, checked on the source: every relative import in
 * lib/, patterns/, bin/ and examples/ is read (type-only imports included, since a type
 * circle is still a circle to a reader) and judged against the layer table.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cyclesOf, importsOf, layerOf, LAYER_RANK, MAX_LINES, publicEntries, violations } from "./helpers/architecture.js";

const root = normalize(join(dirname(fileURLToPath(import.meta.url)), ".."));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [rel] : [];
  });
}

const files = ["lib", "patterns", "bin", "examples"].flatMap(sources);
const graph = new Map(files.map((f) => [f, importsOf(f, readFileSync(join(root, f), "utf8"))]));
const entries = publicEntries(JSON.parse(readFileSync(join(root, "package.json"), "utf8")));

describe("architecture", () => {
  it("knows the layer of every lib/ file", () => {
    const unknown = files.filter((f) => f.startsWith("lib/") && layerOf(f) === undefined);
    expect(unknown).toEqual([]);
    expect(Object.keys(LAYER_RANK)).toContain("wire");
  });

  it("lib/ imports only from its own layer or a lower one, and never from outside lib/", () => {
    expect(violations(graph, entries).filter((v) => v.from.startsWith("lib/"))).toEqual([]);
  });

  it("patterns/, bin/ and examples/ reach lib/ only through the package's public entries", () => {
    expect(violations(graph, entries).filter((v) => !v.from.startsWith("lib/"))).toEqual([]);
  });

  it("has no import cycle in lib/ or patterns/", () => {
    const cycles = cyclesOf(graph).filter((c) => c.some((f) => f.startsWith("lib/") || f.startsWith("patterns/")));
    expect(cycles.map((c) => c.join(" -> "))).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines in lib/, patterns/ or bin/`, () => {
    const long = files
      .filter((f) => !f.startsWith("examples/"))
      .map((f) => [f, readFileSync(join(root, f), "utf8").split("\n").length] as const)
      .filter(([, n]) => n > MAX_LINES)
      .map(([f, n]) => `${f}: ${n}`);
    expect(long).toEqual([]);
  });

  it("the rules themselves catch an upward import, a deep import and a cycle", () => {
    const probe = new Map<string, string[]>([
      ["lib/wire/frame.ts", ["lib/sockets/socket.ts"]],
      ["lib/sockets/socket.ts", ["lib/wire/frame.ts"]],
      ["examples/x.ts", ["lib/sockets/socket.ts"]],
    ]);
    const found = violations(probe, entries).map((v) => `${v.from} -> ${v.to}`);
    expect(found).toContain("lib/wire/frame.ts -> lib/sockets/socket.ts");
    expect(found).toContain("examples/x.ts -> lib/sockets/socket.ts");
    expect(cyclesOf(probe)).toHaveLength(1);
  });
});
