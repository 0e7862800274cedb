/**
 * The Node globals the engine uses, for the browser bundle only: scripts/build-browser.mjs
 * hands this file to esbuild's `inject`, which makes every free `Buffer`, `setImmediate` and
 * `clearImmediate` in the bundle refer to these exports. The page's own globals are untouched.
 *
 * Buffer is the `buffer` package (feross): the Node API over Uint8Array, so a message is a
 * Buffer in the browser as in Node and code written for Node (`msg.toString()`) runs as is.
 * setImmediate is a MessageChannel post: it runs after pending I/O events as Node's does,
 * without the 4 ms clamp that nested setTimeout(0) gets in a page.
 */
import { Buffer } from "buffer";

export { Buffer };

const tasks = new Map<number, () => void>();
let nextId = 1;
let channel: InstanceType<typeof MessageChannel> | null = null;

export function setImmediate<A extends unknown[]>(callback: (...args: A) => void, ...args: A): number {
  if (channel === null) {
    channel = new MessageChannel();
    (channel.port1 as unknown as { onmessage: (event: { data: number }) => void }).onmessage = (event) => {
      const task = tasks.get(event.data);
      if (task === undefined) return;
      tasks.delete(event.data);
      task();
    };
  }
  const id = nextId++;
  tasks.set(id, () => callback(...args));
  channel.port2.postMessage(id);
  return id;
}

export function clearImmediate(id: number): void {
  tasks.delete(id);
}
