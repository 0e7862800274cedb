// Child process entry (forked by child.ts): receives a job, plays its role, reports, exits.
import { loadLib } from "./lib-loader.js";
import type { ChildMessage, ParentMessage } from "./protocol.js";
import { roles } from "./roles/index.js";
import type { Channel } from "./roles/role.js";
import { StepInbox } from "./steps.js";

const inbox = new StepInbox();
let started = false;
let reportProgress: (() => unknown) | undefined;

function report(msg: ChildMessage, exitCode: number): void {
  if (process.send === undefined || !process.connected) process.exit(exitCode);
  process.send(msg, () => process.exit(exitCode));
}

function fail(err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  report({ type: "failure", message: e.message, code: typeof code === "string" ? code : undefined }, 1);
}

const channel: Channel = {
  post(step, data) {
    process.send?.({ type: "step", step, data } satisfies ChildMessage);
  },
  wait<T>(step: string) {
    return inbox.wait(step) as Promise<T>;
  },
  progress(report) {
    reportProgress = report;
  },
};

process.on("message", (msg: ParentMessage) => {
  if (msg.type === "step") {
    if (msg.step === "probe") {
      if (reportProgress !== undefined) channel.post("progress", reportProgress());
    } else {
      inbox.deliver(msg.step, msg.data);
    }
    return;
  }
  if (msg.type === "preload") {
    loadLib(msg.lib).catch(() => undefined); // a failure shows when the job loads it again
    return;
  }
  if (started) return;
  started = true;
  const role = roles[msg.role];
  if (role === undefined) {
    fail(new Error(`unknown role ${msg.role}`));
    return;
  }
  loadLib(msg.lib)
    .then((lib) => role(lib, msg.args, channel))
    .then((value) => report({ type: "result", value }, 0), fail);
});

// Never outlive the parent, whatever state the library's sockets are in.
process.on("disconnect", () => process.exit(1));
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
