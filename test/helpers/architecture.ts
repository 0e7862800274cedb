/**
 * The import rules of docs/ARCHITECTURE.md as data and pure functions, so that
 * test/architecture.test.ts can check the tree and also prove the rules catch a breach.
 * Paths are repository-relative with forward slashes ("lib/wire/frame.ts").
 */
import { posix } from "node:path";

export const MAX_LINES = 500;

/**
 * Layers of lib/, lowest first: a file may import its own layer or a lower one. The public
 * entries (lib/index.ts and its siblings) sit on top and may import any layer.
 */
export const LAYER_RANK: Record<string, number> = {
  util: 0,
  errors: 0,
  "error-codes": 0,
  capability: 0,
  platform: 0,
  wire: 1,
  mechanisms: 2,
  transports: 2,
  engine: 3,
  sockets: 4,
  context: 4,
  devices: 5,
  compat: 5,
  broker: 6,
  "native-constructor": 6,
  index: 7,
  draft: 7,
  security: 7,
  "v5-compat": 7,
  "public-errors": 7,
  browser: 7,
};

/** The lib/ layer of a file: its folder under lib/, or its own name for a file in lib/. */
export function layerOf(file: string): string | undefined {
  const parts = file.split("/");
  if (parts[0] !== "lib") return undefined;
  const name = parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.ts$/, "");
  return name in LAYER_RANK ? name : undefined;
}

/** The source files package.json's exports point at (their `types` entry, back to .ts). */
export function publicEntries(pkg: { exports: Record<string, unknown> }): Set<string> {
  const out = new Set<string>();
  for (const target of Object.values(pkg.exports)) {
    if (typeof target !== "object" || target === null) continue;
    const types = (target as { types?: string }).types;
    if (!types) continue;
    out.add(types.replace(/^\.\/dist\/cjs\//, "").replace(/\.d\.ts$/, ".ts"));
  }
  return out;
}

const STATIC = /^\s*(?:import|export)\b[^;]*?\bfrom\s*"(\.{1,2}\/[^"]+)"/gm;
const BARE = /^\s*import\s*"(\.{1,2}\/[^"]+)"/gm;
const DYNAMIC = /\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

/** The repository files a source file imports by relative path, type-only imports included. */
export function importsOf(file: string, source: string): string[] {
  const out = new Set<string>();
  for (const re of [STATIC, BARE, DYNAMIC]) {
    for (const m of source.matchAll(re)) {
      out.add(posix.normalize(posix.join(posix.dirname(file), m[1]!)).replace(/\.js$/, ".ts"));
    }
  }
  return [...out];
}

export interface Violation {
  from: string;
  to: string;
  why: string;
}

/** Every import that breaks a rule, with the rule it breaks. */
export function violations(graph: ReadonlyMap<string, readonly string[]>, entries: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const why = ruleBroken(from, to, entries);
      if (why) out.push({ from, to, why });
    }
  }
  return out;
}

function ruleBroken(from: string, to: string, entries: ReadonlySet<string>): string | undefined {
  const top = from.split("/")[0];
  if (top === "lib") {
    if (!to.startsWith("lib/")) return "lib/ imports only lib/";
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === undefined || b === undefined) return "a lib/ file outside the layer table";
    if (LAYER_RANK[b]! > LAYER_RANK[a]!) return `${a} may not import the higher layer ${b}`;
    return undefined;
  }
  if (to.startsWith("lib/") && !entries.has(to)) return "outside lib/, only the public entries of lib/ may be imported";
  if (top !== "patterns" && to.startsWith("patterns/") && !entries.has(to)) return "patterns/ is reached through its public entry";
  if (top === "patterns" && !to.startsWith("patterns/") && !to.startsWith("lib/")) return "patterns/ imports only itself and the public entries";
  return undefined;
}

/** Strongly connected groups of two or more files (or a file importing itself): the cycles. */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}
