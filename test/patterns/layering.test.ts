/**
 * patterns/ is built on wiremq's public entries only (ARCHITECTURE.md; the subpaths of
 * package.json "exports"): no import may reach into lib/<layer>/. Its other imports are its own files, protobufjs, and node: built-ins.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const patternsDir = join(root, "patterns");
/** Each public entry's source, from the CommonJS target of each package.json export. */
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, { require?: string } | string> };
const publicEntries = Object.values(pkg.exports)
  .flatMap((t) => (typeof t === "object" && t.require !== undefined ? [t.require.replace(/^\.\/dist\/cjs\//, "")] : []))
  .filter((p) => p.startsWith("lib/"));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gms)].map((m) => m[1]!);
}

describe("patterns layering", () => {
  const files = sourceFiles(patternsDir);

  it("finds the pattern sources", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [relative(root, f), f]))("%s imports only the public entry, its own files, protobufjs and node:", (_name, file) => {
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith("node:") || specifier === "protobufjs") continue;
      expect(specifier.startsWith("."), `${specifier} is a package other than protobufjs`).toBe(true);
      const target = resolve(dirname(file), specifier);
      if (target.startsWith(patternsDir + "/")) continue;
      expect(publicEntries, `${specifier} reaches outside patterns/`).toContain(relative(root, target));
    }
  });
});
