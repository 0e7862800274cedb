// Fresh endpoints for each measurement: ephemeral tcp ports, ipc paths in the temp dir.
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** "threads" is inproc between two worker_threads of one process. */
export type Transport = "tcp" | "ipc" | "inproc" | "threads" | "ws";

let sequence = 0;

/** The endpoint to bind; for tcp the bound port is read back from `lastEndpoint`. */
export function bindEndpoint(transport: Transport): string {
  sequence += 1;
  switch (transport) {
    case "tcp":
      return "tcp://127.0.0.1:*";
    case "ws":
      return "ws://127.0.0.1:*";
    case "ipc":
      return `ipc://${ipcPath(sequence)}`;
    case "inproc":
    case "threads":
      return `inproc://wiremq-bench-${sequence}`;
  }
}

function ipcPath(n: number): string {
  return join(tmpdir(), `wiremq-bench-${process.pid}-${n}.sock`);
}

/** Removes an ipc socket file the library left behind; no-op for other transports. */
export function releaseEndpoint(endpoint: string): void {
  if (endpoint.startsWith("ipc://")) rmSync(endpoint.slice("ipc://".length), { force: true });
}
