import { CliError } from "./cli-error.js";
import { didYouMean } from "./suggest.js";

/** One option of a command: `--name VALUE`, `--name=VALUE`, or a `--flag`. */
export interface OptionSpec {
  name: string;
  short?: string;
  /** flag: no value; value: the last one given wins; list: may be repeated. */
  kind: "flag" | "value" | "list";
  /** What the value is, for the help text (`ADDR`, `MS`, ...). */
  value?: string;
  description: string;
  default?: string;
  /** The allowed values, checked while parsing. */
  choices?: readonly string[];
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** The line after `usage: wiremq <name> `. */
  usage: string;
  /** Paragraphs after the options. */
  details?: string;
  options: readonly OptionSpec[];
  examples?: readonly string[];
  /** Whether positional arguments are allowed (they are otherwise refused). */
  positionals?: boolean;
  /** Pass everything after the command through untouched (bench). */
  passThrough?: boolean;
}

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
  positionals: string[];
}

export const HELP_OPTION: OptionSpec = { name: "help", short: "h", kind: "flag", description: "show this help and exit" };

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { flags: new Set(), values: new Map(), lists: new Map(), positionals: [] };
  const options = [...spec.options, HELP_OPTION];
  const byName = new Map(options.map((o) => [o.name, o]));
  const byShort = new Map(options.filter((o) => o.short !== undefined).map((o) => [o.short!, o]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    let option: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      option = byName.get(name);
      if (option === undefined) throw new CliError("EINVAL", `unknown option --${name}${didYouMean(name, byName.keys(), "--")}`);
    } else if (arg.startsWith("-") && arg.length === 2) {
      option = byShort.get(arg.slice(1));
      if (option === undefined) throw new CliError("EINVAL", `unknown option ${arg}`);
    } else {
      if (!spec.positionals) throw new CliError("EINVAL", `unexpected argument ${JSON.stringify(arg)}`);
      parsed.positionals.push(arg);
      continue;
    }
    if (option.kind === "flag") {
      if (inline !== undefined) throw new CliError("EINVAL", `--${option.name} takes no value`);
      parsed.flags.add(option.name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new CliError("EINVAL", `--${option.name} needs a value${option.value ? ` (${option.value})` : ""}`);
    if (option.choices !== undefined && !option.choices.includes(value)) {
      throw new CliError("EINVAL", `--${option.name} must be one of ${option.choices.join(", ")}, not ${JSON.stringify(value)}`);
    }
    if (option.kind === "value") parsed.values.set(option.name, value);
    else parsed.lists.set(option.name, [...(parsed.lists.get(option.name) ?? []), value]);
  }
  return parsed;
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`wiremq ${spec.name}: ${spec.summary}`, "", `usage: wiremq ${spec.name} ${spec.usage}`];
  const options = [...spec.options, HELP_OPTION];
  if (options.length > 0) {
    lines.push("", "options:");
    const left = options.map((o) => {
      const names = `${o.short ? `-${o.short}, ` : "    "}--${o.name}`;
      return o.kind === "flag" ? names : `${names} ${o.value ?? "VALUE"}`;
    });
    const width = Math.max(...left.map((l) => l.length)) + 2;
    options.forEach((o, i) => {
      const extra = [o.kind === "list" ? "repeatable" : "", o.default !== undefined ? `default ${o.default}` : ""].filter(Boolean);
      lines.push(`  ${left[i]!.padEnd(width)}${o.description}${extra.length > 0 ? ` (${extra.join("; ")})` : ""}`);
    });
  }
  if (spec.details !== undefined) lines.push("", spec.details);
  if (spec.examples !== undefined && spec.examples.length > 0) {
    lines.push("", "examples:", ...spec.examples.map((e) => `  ${e}`));
  }
  return lines.join("\n");
}

/** A non-negative integer value (a count, milliseconds), or the default. */
export function intValue(args: ParsedArgs, name: string, fallback: number): number {
  const text = args.values.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new CliError("EINVAL", `--${name} must be a whole number, not ${JSON.stringify(text)}`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A byte size such as 4096, 64k, 16M or 1G. */
export function sizeValue(args: ParsedArgs, name: string): number | undefined {
  const text = args.values.get(name);
  if (text === undefined) return undefined;
  const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(text.trim());
  const n = m === null ? Number.NaN : Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(n) || n < 1) throw new CliError("EINVAL", `--${name} must be a size such as 4096, 64k, 16M or 1G, not ${JSON.stringify(text)}`);
  return n;
}
