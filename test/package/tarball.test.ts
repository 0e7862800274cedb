/**
 * What `npm pack` publishes: every file on an allow-list, nothing that points at a file left
 * out (no source maps without their sources; the broker's protocol that the CLI names is in;
 * the bench harness, which needs zeromq, is not, and the installed command says so), and the tarball installed in a scratch project runs there, with only
 * the production dependencies beside it. Needs the build (`npm run build`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Each packed path must match one of these. */
const ALLOWED: readonly RegExp[] = [
  /^package\.json$/,
  /^(README|CHANGELOG|SECURITY)\.md$/,
  /^LICENSE$/,
  /^docs\/[\w.-]+\.md$/,
  /^lib\/broker\/(PROTOCOL|README)\.md$/,
  /^patterns\/README\.md$/,
  /^dist\/cjs\/package\.json$/,
  /^dist\/cjs\/(lib|patterns)\/[\w/.-]+\.(js|d\.ts)$/,
  // The chunks the CommonJS entries share (scripts/build-package.mjs).
  /^dist\/cjs\/chunks\/[\w.-]+\.js$/,
  /^dist\/(lib|bin)\/[\w/.-]+\.js$/,
  // wiremq/browser: the bundle and its chunks (libsodium's among them).
  /^dist\/browser\/(chunks\/)?[\w.-]+\.js$/,
];

/** Files the package's entries, its command and its help texts point at. */
const REQUIRED = [
  "LICENSE",
  "README.md",
  "CHANGELOG.md",
  "dist/bin/wiremq.js",
  "lib/broker/PROTOCOL.md",
  "lib/broker/README.md",
];

/**
 * The folders (relative to the root) of the package's dependencies and theirs, found as Node
 * finds them: in the nearest node_modules up from the one that depends.
 */
function productionTree(): string[] {
  const found = new Set<string>();
  const visit = (from: string): void => {
    const pkg = JSON.parse(readFileSync(join(root, from, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      const dir = lookup(from, name);
      if (!found.has(dir)) {
        found.add(dir);
        visit(dir);
      }
    }
  };
  const lookup = (from: string, name: string): string => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf("node_modules/") - 1))) {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(root, candidate, "package.json"))) return candidate;
      if (dir === "") throw new Error(`${name}, needed by ${from || "wiremq"}, is not installed`);
    }
  };
  visit("");
  return [...found];
}

function packedFiles(): string[] {
  const out = execFileSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const [report] = JSON.parse(out) as [{ files: { path: string }[] }];
  return report.files.map((f) => f.path);
}

describe("npm pack", () => {
  it("packs only allowed files, and every file the package points at", () => {
    const files = packedFiles();
    expect(files.filter((f) => !ALLOWED.some((re) => re.test(f)))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      exports: Record<string, string | Record<string, string>>;
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    // Nothing is built or run when the package is installed (the FAQ says so).
    expect(Object.keys(pkg.scripts).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".node") || f.endsWith("binding.gyp"))).toEqual([]);
    const pointedAt = [
      ...Object.values(pkg.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t))),
      ...Object.values(pkg.bin),
    ].map((p) => p.replace(/^\.\//, ""));
    for (const f of [...REQUIRED, ...pointedAt]) expect(files, f).toContain(f);
    // Every local link of a shipped Markdown page leads to a shipped file.
    for (const page of files.filter((f) => f.endsWith(".md"))) {
      const text = readFileSync(join(root, page), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const resolved = relative(root, join(root, dirname(page), target!)).split("\\").join("/");
        if (resolved.startsWith("docs/api")) continue;
        expect(files.some((f) => f === resolved || f.startsWith(`${resolved}/`)), `${page} links ${target}`).toBe(true);
      }
    }
  });
});

describe("the tarball installed in a scratch project", () => {
  let scratch = "";
  let installed = "";

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "wiremq-install-"));
    const packDir = join(scratch, "pack");
    mkdirSync(packDir);
    const tgz = execFileSync(npm, ["pack", "--ignore-scripts", "--pack-destination", packDir], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split("\n").at(-1)!;
    const project = join(scratch, "app");
    installed = join(project, "node_modules", "wiremq");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", join(packDir, tgz), "-C", installed, "--strip-components=1"]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
    // The registry is out of reach here, so the production dependency tree is copied from this
    // checkout's node_modules as npm laid it out, following `dependencies` only.
    for (const p of productionTree()) cpSync(join(root, p), join(project, p), { recursive: true, dereference: true });
    mkdirSync(join(project, "node_modules", ".bin"), { recursive: true });
    symlinkSync(join("..", "wiremq", "dist", "bin", "wiremq.js"), join(project, "node_modules", ".bin", "wiremq"));
  }, 60_000);

  afterAll(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
  });

  function run(file: string, source: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
    const project = dirname(dirname(installed));
    writeFileSync(join(project, file), source);
    const r = spawnSync(process.execPath, [file, ...args], { cwd: project, encoding: "utf8", timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("has no dev dependency beside it", () => {
    const project = dirname(dirname(installed));
    for (const dev of ["zeromq", "vitest", "typescript", "fast-check", "typedoc"]) expect(existsSync(join(project, "node_modules", dev)), dev).toBe(false);
    const r = run("resolve.cjs", `try { require.resolve("zeromq"); console.log("found"); } catch { console.log("absent"); }`);
    expect(r.stdout.trim()).toBe("absent");
  });

  it("has production dependencies that build nothing either: no .node file, no install script", () => {
    const project = dirname(dirname(installed));
    const natives: string[] = [];
    const scripts: string[] = [];
    for (const dir of productionTree()) {
      const pkg = JSON.parse(readFileSync(join(project, dir, "package.json"), "utf8")) as { scripts?: Record<string, string> };
      for (const s of Object.keys(pkg.scripts ?? {})) if (/^(pre|post)?install$|^prepare$/.test(s)) scripts.push(`${dir}: ${s}`);
      for (const f of readdirSync(join(project, dir), { recursive: true }) as string[]) if (f.endsWith(".node") || f.endsWith("binding.gyp")) natives.push(`${dir}/${f}`);
    }
    expect(productionTree().length).toBeGreaterThan(0);
    expect(natives).toEqual([]);
    expect(scripts).toEqual([]);
  });

  it("runs an ESM program: push/pull over tcp, and a CURVE handshake", () => {
    const r = run(
      "app.mjs",
      `import { Push, Pull, curveKeyPair } from "wiremq";
import { z85 } from "wiremq/security";
const server = curveKeyPair(), client = curveKeyPair();
const pull = new Pull({ curveServer: true, curveSecretKey: server.secretKey });
await pull.bind("tcp://127.0.0.1:*");
const push = new Push({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey });
push.connect(pull.lastEndpoint);
await push.send(["hello", "installed"]);
const msg = await pull.receive();
console.log(msg.map(String).join(" "), z85.decode(server.publicKey).length);
push.close();
pull.close();
`,
    );
    expect(r.stderr).toBe("");
    expect(r).toMatchObject({ status: 0, stdout: "hello installed 32\n" });
  });

  it("runs a CommonJS program with every subpath", () => {
    const r = run(
      "app.cjs",
      `const names = ["wiremq", "wiremq/draft", "wiremq/v5-compat", "wiremq/security", "wiremq/devices", "wiremq/broker", "wiremq/errors", "wiremq/patterns"];
for (const n of names) if (Object.keys(require(n)).length === 0) throw new Error(n + " is empty");
console.log(names.length);
`,
    );
    expect(r.stderr).toBe("");
    expect(r).toMatchObject({ status: 0, stdout: "8\n" });
  });

  it("has a working wiremq command, with the files its help names", () => {
    const project = dirname(dirname(installed));
    // npm makes the bin executable when it installs; run it through node as its shebang would.
    const cli = (args: string[]): { status: number | null; stdout: string } =>
      spawnSync(process.execPath, [join(project, "node_modules", ".bin", "wiremq"), ...args], { cwd: project, encoding: "utf8", timeout: 30_000 });
    const version = cli(["--version"]);
    expect(version.stdout).toMatch(/^wiremq \d+\.\d+\.\d+/);
    expect(cli(["keygen"]).stdout).toMatch(/^public \S{40}\nsecret \S{40}\n$/);
    const brokerHelp = cli(["broker", "--help"]).stdout;
    expect(brokerHelp).toMatch(/lib\/broker\/PROTOCOL\.md/);
    for (const [, file] of brokerHelp.matchAll(/(lib\/broker\/[A-Z]+\.md)/g)) expect(existsSync(join(installed, file!)), file).toBe(true);
    expect(cli(["--help"]).stdout).not.toMatch(/^  bench /m);
    const bench = spawnSync(process.execPath, [join(project, "node_modules", ".bin", "wiremq"), "bench", "--quick"], { cwd: project, encoding: "utf8", timeout: 30_000 });
    expect(bench.status).toBe(1);
    expect(bench.stderr).toMatch(/runs from a checkout of the repository/);
  });
});
