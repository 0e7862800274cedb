/**
 * Runs a program under Node, Bun or Deno (the last two from their npm packages, devDependencies
 * of this repository) and collects what it prints. Programs live in test/fixtures/runtimes/ and
 * import the built package as `wiremq` (package self-reference), as a user's program would.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type RuntimeName = "node" | "bun" | "deno";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILD = fileURLToPath(new URL("../../dist/cjs/lib/index.js", import.meta.url));

const BINARIES: Record<RuntimeName, string> = {
  node: process.execPath,
  bun: fileURLToPath(new URL("../../node_modules/@oven/bun-linux-x64/bin/bun", import.meta.url)),
  deno: fileURLToPath(new URL("../../node_modules/deno/deno", import.meta.url)),
};

export const RUNTIMES: readonly RuntimeName[] = ["node", "bun", "deno"];

export function runtimeBinary(name: RuntimeName): string {
  return BINARIES[name];
}

/** Why `name` cannot run a program here, or undefined when it can. */
export function runtimeMissing(name: RuntimeName): string | undefined {
  if (!existsSync(BUILD)) return `${BUILD} is missing: run npm run build first`;
  if (!existsSync(BINARIES[name])) return `${name} binary not found at ${BINARIES[name]} (npm ci installs it)`;
  return undefined;
}

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/runtimes/${name}`, import.meta.url));
}

export interface RunResult {
  code: number | null;
  /** True when the program was killed at the deadline. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `program` under `runtime` from the repository root, killing it (SIGKILL) at `deadlineMs`.
 * `env` adds to the environment; the runtime's own chatter (colours, update checks) is off.
 */
export function runProgram(runtime: RuntimeName, program: string, deadlineMs: number, env: Record<string, string> = {}): Promise<RunResult> {
  const args = runtime === "deno" ? ["run", "-A", program] : [program];
  const child = spawn(BINARIES[runtime], args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", NODE_BINARY: process.execPath, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, deadlineMs);
  return new Promise((resolve, reject) => {
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, stdout, stderr });
    });
  });
}
