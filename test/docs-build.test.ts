/**
 * The API reference builds without a warning: TypeDoc (typedoc.json, as `npm run docs` runs it)
 * converts every entry and validates it with treatWarningsAsErrors, so a broken `{@link}`, an
 * unknown tag or a comment TypeDoc cannot place fails here. `--emit none` skips writing the
 * HTML, which is what costs and checks nothing more. Type errors are `npm run typecheck`'s
 * (typedoc.json sets skipErrorChecking); undocumented exports are test/api-docs.test.ts's.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("API reference build", () => {
  it("converts and validates every entry with no warning", () => {
    const r = spawnSync(process.execPath, [join(root, "node_modules", "typedoc", "bin", "typedoc"), "--emit", "none"], {
      cwd: root,
      encoding: "utf8",
      timeout: 170_000,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    const output = `${r.stdout}${r.stderr}`;
    expect(r.signal, output).toBeNull();
    expect(output).not.toMatch(/\[(warning|error)\]/);
    expect(r.status, output).toBe(0);
  }, 180_000);
});
