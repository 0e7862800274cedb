/**
 * Broker child processes (the compiled dist/bin/broker/main.js, built by `npm test`): started
 * and read for the endpoint they print first, for the crash, consumer-kill and cluster tests
 * and the broker benchmark; the tests' ones tracked so afterEach can kill them all.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(import.meta.url);
/** The build's output: from the sources (vitest) this module is test/helpers/*.ts; compiled (for bench/), in dist/test/helpers/. */
const DIST = HERE.endsWith(".ts") ? join(dirname(HERE), "..", "..", "dist") : join(dirname(HERE), "..", "..");

/** The broker's public entry, compiled: what a child process imports as a user would. */
export const CLIENT_JS = join(DIST, "lib", "broker", "index.js");

export interface BrokerProcess {
  child: ChildProcess;
  /** The first endpoint the broker bound, with its real port. */
  endpoint: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** SIGTERM: the broker syncs and closes its store, then exits. */
  stop(): Promise<void>;
  /** SIGKILL: no chance to write anything more. */
  kill(): Promise<void>;
}

/** The compiled broker program (node cannot run bin/broker/main.ts itself). */
export function brokerMainPath(): string {
  return join(DIST, "bin", "broker", "main.js");
}

export interface SpawnBrokerOptions {
  onStderr?: (line: string) => void;
  startTimeoutMs?: number;
  /**
   * Start again this many times (default 0) when the process exits before listening.
   * Restarting on a port from the ephemeral range can find it briefly taken: a client
   * redialling that port can be handed it as its own source port (a TCP self-connect).
   */
  retries?: number;
  retryDelayMs?: number;
}

/** Starts `node main.js ...args` (the arguments of `wiremq broker`). */
export async function spawnBroker(args: string[], options: SpawnBrokerOptions = {}): Promise<BrokerProcess> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await spawnOnce(args, options);
    } catch (err) {
      if (attempt >= (options.retries ?? 0)) throw err;
      await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 200));
    }
  }
}

function spawnOnce(args: string[], options: SpawnBrokerOptions): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [brokerMainPath(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderr.push(line);
    options.onStderr?.(line);
  });
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`broker did not print its endpoint within ${timeoutMs} ms: ${stderr.join("\n")}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve({ child, endpoint: line.trim(), exited, stop: () => signal("SIGTERM"), kill: () => signal("SIGKILL") });
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`broker exited before printing its endpoint: ${stderr.join("\n")}`));
    });
  });
}

export function distBuilt(): boolean {
  return existsSync(brokerMainPath()) && existsSync(CLIENT_JS);
}

/** Why the broker's child-process tests cannot run, or undefined when they can. */
export function missingBuild(): string | undefined {
  return distBuilt() ? undefined : "the package is not built (dist/bin/broker/main.js): run `npm run build` first";
}

const running = new Set<ChildProcess>();

function track(child: ChildProcess, exited: Promise<void>): void {
  running.add(child);
  void exited.then(() => running.delete(child));
}

/** Starts a broker process and resolves with the endpoint it prints first. */
export async function startBroker(args: string[]): Promise<BrokerProcess> {
  const p = await spawnBroker(args, { retries: 10 });
  track(p.child, p.exited);
  return p;
}

/** Runs an ES module given as text in a child node process, with stdout lines to `onLine`. */
export function runScript(source: string, onLine: (line: string) => void): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ["--input-type=module", "-e", source], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  track(child, exited);
  createInterface({ input: child.stdout! }).on("line", onLine);
  return { child, exited };
}

/** SIGKILLs one process and waits for it to be gone. */
export async function kill(p: { child: ChildProcess; exited: Promise<void> }): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await p.exited;
}

/** Kills every process these helpers started that is still running. */
export async function killAll(): Promise<void> {
  const waits = [...running].map((c) => {
    const gone = new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", () => r())));
    c.kill("SIGKILL");
    return gone;
  });
  await Promise.all(waits);
  running.clear();
}

/** A fresh temp directory and its removal. */
export function tempDir(prefix = "wiremq-broker-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
