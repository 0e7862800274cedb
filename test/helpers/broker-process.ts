/**
 * Broker child processes for the crash, consumer-kill and cluster tests (the compiled
 * dist/lib/broker/main.js, built by `npm test`), tracked so afterEach can kill them all.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { brokerMainPath, spawnBroker, type BrokerProcess } from "../../lib/broker/broker-process.js";

export type { BrokerProcess } from "../../lib/broker/broker-process.js";

export const CLIENT_JS = join(resolve(import.meta.dirname, "../.."), "dist/lib/broker/client.js");

export function distBuilt(): boolean {
  return existsSync(brokerMainPath()) && existsSync(CLIENT_JS);
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
