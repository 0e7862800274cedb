/**
 * The README as a newcomer meets it: each TypeScript block runs to completion as written (with
 * `wiremq` resolving to this package, as after `npm install wiremq`), and every link leads to a
 * file of the repository. Needs the build (`npm run build`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

const project = mkdtempSync(join(tmpdir(), "wiremq-readme-"));
mkdirSync(join(project, "node_modules"));
symlinkSync(root, join(project, "node_modules", "wiremq"), "dir");
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "readme", private: true, type: "module" }));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("README", () => {
  it("has TypeScript blocks to run", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks.map((code, i) => [i + 1, code] as const))("block %i runs to completion as written", (i, code) => {
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const file = join(project, `block-${i}.mjs`);
    writeFileSync(file, js);
    // A block that leaves something pending never ends: the timeout turns that into a failure.
    const r = spawnSync(process.execPath, [file], { cwd: project, encoding: "utf8", timeout: 20_000 });
    expect(r.stderr).toBe("");
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
  }, 30_000);

  it("links only to files of the repository", () => {
    for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (target!.startsWith("#")) continue;
      expect(target, "a link outside the repository").not.toMatch(/^[a-z]+:|^\.\.\//);
      expect(existsSync(join(root, target!.split("#")[0]!)), target).toBe(true);
    }
  });
});
