/**
 * The browser bundle's import graph, from esbuild's metafile: no file of wiremq's imports a
 * `node:` module or a Node built-in, nothing is left external, and what a page loads up front
 * (everything but the libsodium chunk, fetched on first CURVE use) stays within 60 KiB gzip.
 */
import { builtinModules } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, type Metafile } from "esbuild";
// @ts-expect-error the build script is plain JavaScript
import { browserBuildOptions, sizesOf } from "../../scripts/build-browser.mjs";

const BUILTINS = new Set(builtinModules);

function isBuiltin(path: string): boolean {
  return path.startsWith("node:") || BUILTINS.has(path) || BUILTINS.has(path.split("/")[0]!);
}

describe("the browser bundle (scripts/build-browser.mjs)", () => {
  let outdir: string;
  let meta: Metafile;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), "wiremq-bundle-"));
    meta = (await build(browserBuildOptions(outdir))).metafile;
  }, 60_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("has no node: import and no Node built-in in wiremq's files, and leaves nothing external", () => {
    const offending: string[] = [];
    for (const [file, input] of Object.entries(meta.inputs)) {
      for (const imp of input.imports) {
        // esbuild lists the injected file's import in every file as external: it is bundled.
        if (imp.path.endsWith("lib/platform/browser-globals.ts")) continue;
        if (imp.external) offending.push(`${file} -> ${imp.path} (external)`);
        // `imp.path` is what the import resolved to: the "buffer" package is a file, node's buffer would not be.
        else if (isBuiltin(imp.path) || (file.startsWith("lib/") && (imp.original ?? "").startsWith("node:"))) offending.push(`${file} -> ${imp.original ?? imp.path}`);
      }
    }
    expect(offending).toEqual([]);
    expect(Object.keys(meta.inputs).filter((f) => f.startsWith("lib/")).length).toBeGreaterThan(50);
  });

  it("holds a built-in only where a dependency's own package.json maps it away for browsers", () => {
    // libsodium's Emscripten glue names "crypto" for Node; its "browser" field disables it.
    const builtins = Object.keys(meta.inputs).filter((f) => isBuiltin(f.replace(/^\(disabled\):/, "")));
    expect(builtins).toEqual(["(disabled):crypto"]);
    expect(builtins.every((f) => f.startsWith("(disabled):"))).toBe(true);
  });

  it("keeps the socket code out of node's transports and the Node globals out of the page's scope", () => {
    const files = Object.keys(meta.inputs);
    for (const nodeOnly of ["lib/transports/stream.ts", "lib/transports/reader.ts", "lib/sockets/node-transports.ts", "lib/engine/stream-engine.ts"]) {
      expect(files).not.toContain(nodeOnly);
    }
    expect(files).toContain("lib/engine/zws-engine.ts");
    expect(files).toContain("lib/platform/browser-globals.ts");
  });

  it("loads within 60 KiB gzip up front; libsodium is a chunk of its own", () => {
    const sizes = sizesOf(meta, outdir) as Record<string, { minified: number; gzip: number }>;
    const lazy = Object.keys(sizes).filter((f) => f.includes("libsodium"));
    expect(lazy).toHaveLength(1);
    const upFront = Object.entries(sizes).filter(([f]) => !f.includes("libsodium"));
    const gzip = upFront.reduce((n, [, s]) => n + s.gzip, 0);
    expect(gzip).toBeLessThanOrEqual(60 * 1024);
  });
});
