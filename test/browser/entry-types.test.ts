/**
 * The page's entry (lib/browser.ts) has the Node entries' public types: each name it shares
 * with wiremq or wiremq/draft is the same type there (class and instance, so SERVER's
 * `receive()` is `[message, { routingId }]` and SCATTER has no `receive()`), and it leaves out
 * only what a page cannot use. Checked by compiling a probe against the sources with the
 * TypeScript compiler, as a user's editor would.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ENTRIES = { page: "lib/browser.ts", main: "lib/index.ts", draft: "lib/draft.ts" } as const;

/** What the page's entry leaves out on purpose: STREAM (none over ws), udp's DGRAM, and values that describe Node's build. */
const NOT_IN_PAGE = ["Stream", "StreamConnectOptions", "Datagram", "DatagramOptions", "capability", "version"];

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  types: ["node"],
};

const dir = mkdtempSync(join(tmpdir(), "wiremq-entry-types-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Code a page's author may write: it must compile against the page's entry (written below as probe.ts). */
const PROBE = [
  `import * as page from "${join(root, "lib/browser.js")}";`,
  "export async function probe(): Promise<void> {",
  "  const server = new page.Server();",
  "  const [message, { routingId }] = await server.receive();",
  "  await server.send(message, { routingId });",
  "  // @ts-expect-error a SERVER replies to one client: the routing id is required",
  "  await server.send(message);",
  "  // @ts-expect-error a SCATTER cannot receive",
  "  await new page.Scatter().receive();",
  "  // @ts-expect-error a GATHER cannot send",
  "  await new page.Gather().send('x');",
  "  // @ts-expect-error a RADIO cannot receive",
  "  await new page.Radio().receive();",
  "  const [body, { group }] = await new page.Dish().receive();",
  "  const client: page.Client = new page.Client({ linger: 0 });",
  "  await client.send(body);",
  "  const options: page.ServerOptions = { linger: 0, receiveTimeout: 100 };",
  "  void [group, options];",
  "}",
].join("\n");

/** One program for the entries and the probe (type-checking the sources once takes seconds). */
function compile(): { program: ts.Program; probe: string } {
  const probe = join(dir, "probe.ts");
  writeFileSync(probe, PROBE);
  return { program: ts.createProgram([probe, ...Object.values(ENTRIES).map((f) => join(root, f))], OPTIONS), probe };
}

/** Each entry's exports by name, as the symbol they stand for (re-exports followed). */
function exportsOf(program: ts.Program): Record<keyof typeof ENTRIES, Map<string, ts.Symbol>> {
  const checker = program.getTypeChecker();
  const out = {} as Record<keyof typeof ENTRIES, Map<string, ts.Symbol>>;
  for (const [key, file] of Object.entries(ENTRIES) as [keyof typeof ENTRIES, string][]) {
    const source = program.getSourceFile(join(root, file))!;
    const names = new Map<string, ts.Symbol>();
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
      names.set(exported.name, exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported);
    }
    out[key] = names;
  }
  return out;
}

describe("the browser entry's public types", () => {
  const { program, probe } = compile();
  const all = exportsOf(program);

  it("exports every name of wiremq and wiremq/draft but those a page cannot use", () => {
    const missing = [...all.main.keys(), ...all.draft.keys()].filter((n) => !all.page.has(n) && !NOT_IN_PAGE.includes(n));
    expect(missing).toEqual([]);
  });

  it("gives each shared name the very declaration the Node entry exports (class, instance type, options)", () => {
    const differing: string[] = [];
    let shared = 0;
    for (const [name, symbol] of all.page) {
      const node = all.draft.get(name) ?? all.main.get(name);
      if (node === undefined) continue;
      shared++;
      if (node !== symbol) differing.push(name);
    }
    expect(shared).toBeGreaterThan(40);
    expect(differing).toEqual([]);
  });

  it("types the draft sockets' calls as zeromq/draft does: what does not compile in Node does not in a page", () => {
    const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(probe)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(errors).toEqual([]);
  });
});
