/**
 * patterns/ is built on wiremq's public entry only (ARCHITECTURE.md): no import may reach into
 * lib/<layer>/. Its other imports are its own files, protobufjs, and node: built-ins.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const patternsDir = join(root, "patterns");

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
      expect(relative(root, target), `${specifier} reaches outside patterns/`).toBe(join("lib", "index.js"));
    }
  });
});
