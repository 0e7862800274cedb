/** A v6 monitor event, as `socket.events.receive()` gives it. */
export interface ObservedEvent {
  type: string;
  address?: string;
  interval?: number;
  error?: Error & { errno?: number };
}

/** The arguments of zeromq 5's monitor event: `emit(name, value, address, error)`. */
export interface MonitorEmit {
  name: string;
  value: number | undefined;
  error: Error | undefined;
}

/** v6 event types under their zeromq 5 names; the rest (handshakes, etc.) had none. */
const NAMES: Readonly<Record<string, string>> = {
  connect: "connect",
  "connect:delay": "connect_delay",
  "connect:retry": "connect_retry",
  bind: "listen",
  "bind:error": "bind_error",
  accept: "accept",
  "accept:error": "accept_error",
  close: "close",
  "close:error": "close_error",
  disconnect: "disconnect",
};

/** The zeromq 5 form of an event, or null for one zeromq 5 did not report. */
export function toMonitorEmit(event: ObservedEvent): MonitorEmit | null {
  const name = NAMES[event.type];
  if (name === undefined) return null;
  if (event.type === "connect:retry") return { name, value: event.interval, error: undefined };
  if (event.type.endsWith(":error")) return { name, value: event.error ? event.error.errno : 0, error: event.error };
  return { name, value: undefined, error: undefined };
}

export const MONITOR_ARGUMENTS_IGNORED = "Arguments to monitor() are ignored in compatibility mode; all events are read automatically";
