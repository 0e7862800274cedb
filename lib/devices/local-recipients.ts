import { stat } from "node:fs/promises";
import { join } from "node:path";
import { ZmqError } from "../errors.js";
import { Push } from "../sockets/push.js";
import type { RecipientStatus } from "./fanout-wire.js";
import { SerialSender } from "./serial-sender.js";

/** A recipient inside the relay's process: delivered once the returned promise resolves. */
export type RecipientHandler = (message: Buffer[]) => void | Promise<void>;

/** A recipient reached through a socket: a PUSH kept connected to its endpoint. */
interface SocketRecipient {
  push: Push;
  sender: SerialSender;
}

/**
 * The recipients a relay can deliver to by name: handlers registered in-process, endpoints
 * registered by name (any transport; the recipient binds a PULL there), and, given a
 * directory, any PULL bound at `ipc://<dir>/<name>`, found by the socket file being there.
 *
 * A socket delivery counts as delivered once the message is handed to a live connection of
 * the recipient's socket (PUSH with `immediate`, so nothing waits in a queue for a recipient
 * that is not there); that is as far as ZeroMQ can tell without the recipient answering.
 */
export class LocalRecipients {
  readonly #directory: string | null;
  readonly #handlers = new Map<string, RecipientHandler>();
  readonly #endpoints = new Map<string, string>();
  readonly #sockets = new Map<string, SocketRecipient>();
  #closed = false;

  constructor(directory?: string) {
    this.#directory = directory ?? null;
  }

  register(name: string, target: RecipientHandler | string): void {
    if (typeof name !== "string" || name.length === 0 || name.includes("://")) {
      throw new ZmqError("EINVAL", "a recipient name must be a non-empty string without '://'");
    }
    this.unregister(name);
    if (typeof target === "function") this.#handlers.set(name, target);
    else if (typeof target === "string") this.#endpoints.set(name, target);
    else throw new ZmqError("EINVAL", `recipient ${name}: target must be a handler function or an endpoint`);
  }

  unregister(name: string): boolean {
    const socket = this.#sockets.get(name);
    if (socket !== undefined) {
      this.#sockets.delete(name);
      void socket.push.close();
    }
    return this.#handlers.delete(name) || this.#endpoints.delete(name) || socket !== undefined;
  }

  /** Delivers to one recipient; resolves with its outcome, never rejects. */
  async deliver(name: string, message: Buffer[], signal: AbortSignal): Promise<RecipientStatus> {
    if (this.#closed) return "failed";
    const handler = this.#handlers.get(name);
    if (handler !== undefined) return this.#callHandler(handler, message, signal);
    const endpoint = this.#endpoints.get(name) ?? (await this.#directoryEndpoint(name));
    if (endpoint === null) {
      this.#dropSocket(name);
      return "no-such-recipient";
    }
    let recipient: SocketRecipient;
    try {
      recipient = this.#socketFor(name, endpoint);
    } catch {
      return "failed";
    }
    try {
      await recipient.sender.send(message, { signal });
      return "delivered";
    } catch {
      return signal.aborted ? "timed-out" : "failed";
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const sockets = [...this.#sockets.values()];
    this.#sockets.clear();
    await Promise.all(sockets.map((s) => s.push.close()));
  }

  async #callHandler(handler: RecipientHandler, message: Buffer[], signal: AbortSignal): Promise<RecipientStatus> {
    if (signal.aborted) return "timed-out";
    let onAbort: (() => void) | undefined;
    const expired = new Promise<RecipientStatus>((resolve) => {
      onAbort = () => resolve("timed-out");
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const done = Promise.resolve()
        .then(() => handler(message))
        .then(
          (): RecipientStatus => "delivered",
          (): RecipientStatus => "failed",
        );
      return await Promise.race([done, expired]);
    } finally {
      signal.removeEventListener("abort", onAbort!);
    }
  }

  /** `ipc://<dir>/<name>` when a socket file of that name is in the directory, else null. */
  async #directoryEndpoint(name: string): Promise<string | null> {
    const dir = this.#directory;
    if (dir === null || !isPlainFileName(name)) return null;
    const path = join(dir, name);
    try {
      return (await stat(path)).isSocket() ? `ipc://${path}` : null;
    } catch {
      return null;
    }
  }

  #socketFor(name: string, endpoint: string): SocketRecipient {
    const known = this.#sockets.get(name);
    if (known !== undefined) return known;
    const push = new Push({ immediate: true, linger: 0 });
    try {
      push.connect(endpoint);
    } catch (err) {
      void push.close();
      throw err;
    }
    const recipient = { push, sender: new SerialSender(push) };
    this.#sockets.set(name, recipient);
    return recipient;
  }

  /** A recipient that went away: stop reconnecting to it. */
  #dropSocket(name: string): void {
    const socket = this.#sockets.get(name);
    if (socket === undefined) return;
    this.#sockets.delete(name);
    void socket.push.close();
  }
}

/** A name usable as one path component: no separators, no `.`/`..`, no NUL. */
function isPlainFileName(name: string): boolean {
  return name !== "." && name !== ".." && !/[/\\\0]/.test(name) && Buffer.byteLength(name) <= 255;
}
