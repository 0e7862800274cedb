#!/usr/bin/env node
/**
 * Builds wiremq/browser: lib/browser.ts bundled by esbuild into one minified ES module,
 * dist/browser/wiremq.js, with libsodium split into a chunk of its own that the page fetches
 * on first CURVE use (the dynamic import in lib/mechanisms/sodium.ts). Prints the sizes:
 * minified and gzip, of the module a page loads and of the libsodium chunk.
 *
 *   node scripts/build-browser.mjs [outdir=dist/browser]
 */
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** esbuild's options for the browser bundle; test/browser/bundle-graph.test.ts builds with them too. */
export function browserBuildOptions(outdir) {
  return {
    absWorkingDir: root,
    entryPoints: { wiremq: "lib/browser.ts" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    // The engine's Node globals (Buffer, setImmediate), given to the bundle alone.
    inject: ["lib/platform/browser-globals.ts"],
    chunkNames: "chunks/[name]-[hash]",
    outdir,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  };
}

/** Bytes of each output file: minified, and gzip at level 9. */
export function sizesOf(metafile, outdir) {
  const out = {};
  for (const file of Object.keys(metafile.outputs)) {
    if (!file.endsWith(".js")) continue;
    const bytes = readFileSync(resolve(root, file));
    out[relative(resolve(root, outdir), resolve(root, file))] = { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2] ?? "dist/browser";
  rmSync(join(root, outdir), { recursive: true, force: true });
  const result = await build(browserBuildOptions(outdir));
  for (const [file, size] of Object.entries(sizesOf(result.metafile, outdir))) {
    console.log(`${file}: ${(size.minified / 1024).toFixed(1)} KiB minified, ${(size.gzip / 1024).toFixed(1)} KiB gzip`);
  }
}
