import type { Codec, CodecValue } from "../codec/codec.js";

/**
 * Declarative content filters: tests on a message's fields, combined with and/or/not. They
 * are plain data (JSON), so a subscriber can send one upstream and a publisher or forwarder
 * can run it on every message before that message crosses the network.
 */
import { WiremqError } from "../../lib/public-errors.js";

/** A field value a filter can test: JSON scalars. */
export type Scalar = string | number | boolean | null;

// Depth counter for the recursive path type: keeps the compiler fast on deep or cyclic types.
type Prev = [never, 0, 1, 2, 3];

/** Dotted paths to the scalar fields of T (`"symbol"`, `"quote.bid"`), three levels deep. */
export type FieldPath<T, Depth extends number = 3> = [Depth] extends [never]
  ? never
  : T extends object
    ? {
        [K in keyof T & string]: NonNullable<T[K]> extends Scalar
          ? K
          : NonNullable<T[K]> extends readonly unknown[]
            ? never
            : NonNullable<T[K]> extends object
              ? `${K}.${FieldPath<NonNullable<T[K]>, Prev[Depth]>}`
              : never;
      }[keyof T & string]
    : never;

/** The type of the field at a dotted path. */
export type FieldValue<T, P extends string> = P extends `${infer K}.${infer Rest}`
  ? K extends keyof T
    ? FieldValue<NonNullable<T[K]>, Rest>
    : never
  : P extends keyof T
    ? T[P]
    : never;

type Ordered<V> = Extract<V, number | string>;

/** One test on one field. Ranges take any of gt/gte/lt/lte, on numbers or strings. */
export type FieldTest<T> = {
  [P in FieldPath<T>]:
    | { field: P; eq: FieldValue<T, P> }
    | { field: P; ne: FieldValue<T, P> }
    | { field: P; in: readonly FieldValue<T, P>[] }
    | ([Ordered<FieldValue<T, P>>] extends [never]
        ? never
        : { field: P; gt?: Ordered<FieldValue<T, P>>; gte?: Ordered<FieldValue<T, P>>; lt?: Ordered<FieldValue<T, P>>; lte?: Ordered<FieldValue<T, P>> });
}[FieldPath<T>];

/** A content filter on values of type T. */
export type Where<T> = FieldTest<T> | { and: readonly Where<T>[] } | { or: readonly Where<T>[] } | { not: Where<T> };

/**
 * Writes a filter into a variable with its type checked where it is written, so no `as const`
 * is needed: `const big = where<Order>({ field: "quantity", gte: 10 })`, or with the codec
 * naming the type, `where(orders, { field: "quantity", gte: 10 })`. A bare object literal in a
 * variable widens `field` to string and no longer fits Where. Throws FilterError (EINVAL) at
 * once for a filter that is not well formed.
 */
export function where<T>(filter: Where<T>): Where<T>;
export function where<C extends Codec<any>>(codec: C, filter: Where<CodecValue<C>>): Where<CodecValue<C>>; // eslint-disable-line @typescript-eslint/no-explicit-any
export function where(first: unknown, second?: unknown): unknown {
  const filter = second === undefined ? first : second;
  compileWhere(filter);
  return filter;
}

/** A filter that is not well formed (an EINVAL for the caller, a dropped declaration upstream). */
export class FilterError extends WiremqError<"EINVAL"> {
  override readonly name = "FilterError";

  constructor(message: string) {
    super("EINVAL", message);
  }
}

/**
 * Limits on a filter, checked before it is compiled: a publisher runs filters that came from
 * the network on every message, so their size is bounded.
 */
export const FILTER_LIMITS = Object.freeze({ nodes: 256, depth: 16, inValues: 1024, pathLength: 256 });

const RANGE_OPS = ["gt", "gte", "lt", "lte"] as const;
// Path segments that would reach into prototypes rather than data.
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);

type Predicate = (value: unknown) => boolean;

/**
 * Checks a filter's shape and returns a function that runs it. Accepts `unknown` because
 * filters also arrive from peers; throws FilterError when it is not a well-formed filter.
 */
export function compileWhere(where: unknown): Predicate {
  const budget = { nodes: 0 };
  return compileNode(where, 0, budget);
}

function compileNode(node: unknown, depth: number, budget: { nodes: number }): Predicate {
  if (++budget.nodes > FILTER_LIMITS.nodes) throw new FilterError(`a filter has at most ${FILTER_LIMITS.nodes} nodes`);
  if (depth > FILTER_LIMITS.depth) throw new FilterError(`a filter nests at most ${FILTER_LIMITS.depth} deep`);
  if (typeof node !== "object" || node === null || Array.isArray(node)) throw new FilterError("a filter node must be an object");
  const keys = Object.keys(node);
  const n = node as Record<string, unknown>;
  if (keys.length === 1 && (keys[0] === "and" || keys[0] === "or")) {
    const list = n[keys[0]];
    if (!Array.isArray(list) || list.length === 0) throw new FilterError(`${keys[0]} takes a non-empty array of filters`);
    const parts = list.map((child: unknown) => compileNode(child, depth + 1, budget));
    return keys[0] === "and" ? (v) => parts.every((p) => p(v)) : (v) => parts.some((p) => p(v));
  }
  if (keys.length === 1 && keys[0] === "not") {
    const inner = compileNode(n.not, depth + 1, budget);
    return (v) => !inner(v);
  }
  return compileFieldTest(n, keys);
}

function compileFieldTest(n: Record<string, unknown>, keys: string[]): Predicate {
  const path = fieldPath(n.field);
  const ops = keys.filter((k) => k !== "field");
  const read = (v: unknown): unknown => readPath(v, path);
  if (ops.length === 1 && (ops[0] === "eq" || ops[0] === "ne")) {
    const expected = scalar(n[ops[0]], ops[0]);
    return ops[0] === "eq" ? (v) => read(v) === expected : (v) => read(v) !== expected;
  }
  if (ops.length === 1 && ops[0] === "in") {
    const list = n.in;
    if (!Array.isArray(list) || list.length > FILTER_LIMITS.inValues) {
      throw new FilterError(`in takes an array of at most ${FILTER_LIMITS.inValues} values`);
    }
    const set = new Set(list.map((x: unknown) => scalar(x, "in")));
    return (v) => set.has(read(v) as Scalar);
  }
  if (ops.length > 0 && ops.every((op) => (RANGE_OPS as readonly string[]).includes(op))) {
    const bounds = ops.map((op) => {
      const bound = n[op];
      if (typeof bound !== "number" && typeof bound !== "string") throw new FilterError(`${op} takes a number or a string`);
      return { op: op as (typeof RANGE_OPS)[number], bound };
    });
    return (v) => {
      const x = read(v);
      return bounds.every(({ op, bound }) => typeof x === typeof bound && inRange(x as number | string, op, bound));
    };
  }
  throw new FilterError(`a field test takes one of eq, ne, in, or range bounds (gt, gte, lt, lte); got ${ops.join(", ") || "none"}`);
}

function inRange(x: number | string, op: (typeof RANGE_OPS)[number], bound: number | string): boolean {
  switch (op) {
    case "gt":
      return x > bound;
    case "gte":
      return x >= bound;
    case "lt":
      return x < bound;
    case "lte":
      return x <= bound;
  }
}

function fieldPath(field: unknown): string[] {
  if (typeof field !== "string" || field.length === 0 || field.length > FILTER_LIMITS.pathLength) {
    throw new FilterError(`field must be a non-empty string of at most ${FILTER_LIMITS.pathLength} characters`);
  }
  const path = field.split(".");
  for (const segment of path) {
    if (segment.length === 0 || FORBIDDEN_SEGMENTS.has(segment)) throw new FilterError(`field ${JSON.stringify(field)} is not a data path`);
  }
  return path;
}

function scalar(x: unknown, op: string): Scalar {
  if (x === null || typeof x === "string" || typeof x === "number" || typeof x === "boolean") return x;
  throw new FilterError(`${op} takes a string, number, boolean or null`);
}

function readPath(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const segment of path) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[segment];
  }
  return cur;
}
