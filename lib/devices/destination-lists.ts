import { ZmqError } from "../errors.js";
import { parseDestination, type Destination } from "./destination.js";

/**
 * Named destination lists, defined once and used by name in `Fanout.send`. An entry of a list
 * may name another list; a list that ends up including itself is refused.
 */
export class DestinationLists {
  readonly #lists = new Map<string, readonly string[]>();

  define(name: string, entries: readonly string[]): void {
    if (typeof name !== "string" || name.length === 0 || name.includes("#")) {
      throw new ZmqError("EINVAL", "a list name must be a non-empty string without '#'");
    }
    if (!Array.isArray(entries)) throw new ZmqError("EINVAL", `list ${name}: entries must be an array`);
    const previous = this.#lists.get(name);
    this.#lists.set(name, [...entries]);
    try {
      this.resolve([name]);
    } catch (err) {
      if (previous === undefined) this.#lists.delete(name);
      else this.#lists.set(name, previous);
      throw err;
    }
  }

  undefine(name: string): boolean {
    return this.#lists.delete(name);
  }

  get names(): string[] {
    return [...this.#lists.keys()];
  }

  /** Expands list names and parses destinations, in order; throws EINVAL for anything unknown or bad. */
  resolve(entries: readonly string[]): Destination[] {
    const out: Destination[] = [];
    const expand = (items: readonly string[], path: readonly string[]): void => {
      for (const item of items) {
        if (typeof item !== "string") throw new ZmqError("EINVAL", "a destination must be a string");
        if (item.includes("#")) {
          out.push(parseDestination(item));
          continue;
        }
        const list = this.#lists.get(item);
        if (list === undefined) throw new ZmqError("EINVAL", `${JSON.stringify(item)} is neither a destination (node#name) nor a defined list`);
        if (path.includes(item)) throw new ZmqError("EINVAL", `list ${item} includes itself`);
        expand(list, [...path, item]);
      }
    };
    expand(entries, []);
    return out;
  }
}
