// Messages between the benchmark parent and a worker child over the fork IPC channel.
import type { LibName } from "./lib-loader.js";

/** Parent → child, once, right after fork: which role to play with which library. */
export interface JobMessage {
  type: "job";
  role: string;
  lib: LibName;
  args: unknown;
}

/** Parent → child, optional, before the job: start loading the library now. */
export interface PreloadMessage {
  type: "preload";
  lib: LibName;
}

/** Either direction, role-defined steps such as "ready", "sent", "close". */
export interface StepMessage {
  type: "step";
  step: string;
  data?: unknown;
}

/** Child → parent, last message before the child exits. */
export interface ResultMessage {
  type: "result";
  value: unknown;
}

export interface FailureMessage {
  type: "failure";
  message: string;
  code?: string;
}

export type ParentMessage = PreloadMessage | JobMessage | StepMessage;
export type ChildMessage = StepMessage | ResultMessage | FailureMessage;
