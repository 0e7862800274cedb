import type { Msg } from "./pipe.js";

/**
 * A DISH's JOIN or LEAVE on its way through a pipe: one frame, the group name. The engine
 * writes it as a ZMTP command and turns a received JOIN/LEAVE back into one; over inproc
 * it reaches the RADIO as it is.
 */
export type GroupCommand = Msg & { groupCommand: "JOIN" | "LEAVE" };

export function groupCommand(name: "JOIN" | "LEAVE", group: Buffer): GroupCommand {
  const msg = [group] as GroupCommand;
  msg.groupCommand = name;
  return msg;
}

/** The command a message carries, or undefined for a data message. */
export function groupCommandOf(msg: Msg): "JOIN" | "LEAVE" | undefined {
  return (msg as Partial<GroupCommand>).groupCommand;
}
