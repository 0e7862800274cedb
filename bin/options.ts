/**
 * `name=value` socket option settings as typed by hand on a command line: each value is read
 * as the type the option has on a socket of the kind it is for (a number, true/false, or a
 * string; `null` clears a string option), so the socket's own setter then checks it.
 */
import type { Socket } from "../lib/index.js";
import { CliError } from "./cli/cli-error.js";

/** Properties of a socket that are not options. */
const NOT_OPTIONS = new Set(["events", "closed", "context"]);

/** True when `name` is an accessor without a setter somewhere up the prototype chain. */
function readOnly(target: object, name: string): boolean {
  for (let p: object | null = target; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d !== undefined) return d.get !== undefined && d.set === undefined;
  }
  return false;
}

export function parseOptionSettings(sample: Socket, settings: readonly string[]): Record<string, unknown> {
  const target = sample as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const setting of settings) {
    const eq = setting.indexOf("=");
    if (eq <= 0) throw new CliError("EINVAL", `an option setting is name=value, not ${JSON.stringify(setting)}`);
    const name = setting.slice(0, eq);
    const text = setting.slice(eq + 1);
    if (!(name in sample) || typeof target[name] === "function" || NOT_OPTIONS.has(name)) {
      throw new CliError("EINVAL", `unknown socket option ${JSON.stringify(name)}`);
    }
    if (readOnly(sample, name)) throw new CliError("EINVAL", `socket option ${name} is read-only`);
    const current = target[name];
    let value: unknown = text;
    if (typeof current === "number") {
      value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) throw new CliError("EINVAL", `option ${name} takes a number, not ${JSON.stringify(text)}`);
    } else if (typeof current === "boolean") {
      if (text !== "true" && text !== "false") throw new CliError("EINVAL", `option ${name} takes true or false, not ${JSON.stringify(text)}`);
      value = text === "true";
    } else if (text === "null") {
      value = null;
    }
    out[name] = value;
  }
  return out;
}
