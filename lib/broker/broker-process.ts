/**
 * Runs a broker as a child process (main.ts) and reads the endpoint it prints first: for
 * tests, benchmarks and supervisors that want a broker they can kill.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

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

/**
 * The compiled entry file. Run from the TypeScript sources (vitest), this module sits in
 * lib/broker/ and node cannot run main.ts; the build puts main.js in dist/lib/broker/.
 */
export function brokerMainPath(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts") ? join(dirname(here), "..", "..", "dist", "lib", "broker", "main.js") : join(dirname(here), "main.js");
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
