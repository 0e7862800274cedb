/**
 * Node's built-in modules that only the network transports need (node:net and the streams it
 * brings, node:crypto, node:dns, node:os, node:dgram) and Web Crypto load on the first tcp,
 * ipc or udp use, not when the main entry is imported: they were about a third of the import
 * time (issue 20). So does the tcp/ipc engine's code (a chunk of the build of its own). Seen through Node's own list of the built-ins a process has loaded, in ES
 * module child processes (a CommonJS `node -e` preloads node:crypto itself) of a scratch
 * project whose node_modules/wiremq is this repository (so the test needs `npm run build`).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "wiremq-builtins-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "wiremq"), "dir");
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

function run(file: string, source: string): string[] {
  writeFileSync(join(project, file), source);
  const r = spawnSync(process.execPath, [file], { cwd: project, encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${file} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout.trim().split("\n");
}

// Prints which of the watched built-ins are loaded after the import, then after a message over
// tcp (a DEALER and a ROUTER: the ROUTER draws a routing id), then after one over udp.
const PROGRAM = `
  import * as zmq from "wiremq";
  import { createRequire } from "node:module";
  const watched = ["net", "crypto", "dns", "os", "dgram", "internal/crypto/webcrypto"];
  const loaded = () => watched.filter((m) => process.moduleLoadList.includes("NativeModule " + m)).join(",") || "none";
  // The chunk of the build that holds the tcp/ipc engine (lib/sockets/stream-engine-maker.ts).
  const engineLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => /[\\\\/]chunks[\\\\/]stream-engine-maker-\\w+\\.js$/.test(f));
  console.log(loaded(), engineLoaded());
  const router = new zmq.Router();
  await router.bind("tcp://127.0.0.1:*");
  const dealer = new zmq.Dealer();
  dealer.connect(router.lastEndpoint);
  await dealer.send("tcp");
  const [, m] = await router.receive();
  dealer.close(); router.close();
  console.log(String(m), loaded(), engineLoaded());
`;

describe("network built-ins load on first use, not at import", () => {
  it("import 'wiremq' loads none of them, nor the tcp engine; a tcp connection loads node:net and the engine", () => {
    const [atImport, afterTcp] = run("builtins.mjs", PROGRAM);
    expect(atImport).toBe("none false");
    const [message, list, engine] = afterTcp!.split(" ");
    expect(message).toBe("tcp");
    expect(list!.split(",")).toContain("net");
    expect(engine).toBe("true");
  });

  it("wiremq/draft loads none of them either; a udp bind loads node:dgram", () => {
    const [atImport, afterUdp] = run(
      "builtins-draft.mjs",
      `import * as draft from "wiremq/draft";
       const loaded = () => ["net", "crypto", "dns", "os", "dgram"].filter((m) => process.moduleLoadList.includes("NativeModule " + m)).join(",") || "none";
       console.log(loaded());
       const dish = new draft.Dish();
       await dish.bind("udp://127.0.0.1:*");
       dish.close();
       console.log(loaded());`,
    );
    expect(atImport).toBe("none");
    expect(afterUdp!.split(",")).toContain("dgram");
  });
});
