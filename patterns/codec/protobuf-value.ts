/**
 * Checks a plain value against a reflected protobuf type, field by field, and gives the object
 * protobufjs encodes: enum names become numbers, 64-bit integers (bigint, Long, safe numbers,
 * decimal strings) become exact low/high bits. protobufjs's own `fromObject` would coerce
 * silently (`-1` into a uint32 as 4294967295, `"x"` as 0, an int64 past 2^53 rounded), so
 * nothing reaches it: a value that does not fit its field throws, naming the field.
 */
import { WiremqTypeError } from "../../lib/public-errors.js";
import { isProtoEnum, isProtoType, type ProtoField, type ProtoType } from "./protobuf-schema.js";

const MAX_DEPTH = 32;

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};

const LONG_RANGES: Record<string, [bigint, bigint]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

const FLOAT_MAX = 3.4028234663852886e38;

/** What protobufjs's writer takes for a 64-bit field, exactly. */
interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
}

function fail(path: string, why: string): never {
  throw new WiremqTypeError("EENCODE", `${path}: ${why}`);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "string") return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (typeof x === "number" || typeof x === "bigint" || typeof x === "boolean") return `${typeof x} ${String(x)}`;
  return Array.isArray(x) ? "an array" : typeof x;
}

/** The encodable form of `value` for `type`; throws EENCODE for anything that does not fit. */
export function toEncodable(type: ProtoType, value: unknown, path = type.name, depth = 0): Record<string, unknown> {
  if (depth > MAX_DEPTH) fail(path, "nested too deep");
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, `expected an object, got ${describe(value)}`);
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const byName = new Map(type.fieldsArray.map((f) => [f.name, f]));
  for (const key of Object.keys(input)) {
    if (!byName.has(key)) {
      if (input[key] === undefined) continue;
      fail(`${path}.${key}`, `no such field in ${type.name}`);
    }
  }
  for (const field of type.fieldsArray) {
    const x = input[field.name];
    const at = `${path}.${field.name}`;
    if (x === undefined || x === null) {
      if (field.required) fail(at, "required field missing");
      continue;
    }
    if (field.map) {
      if (typeof x !== "object" || Array.isArray(x)) fail(at, `expected an object (map), got ${describe(x)}`);
      const m: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
        checkMapKey(field.keyType ?? "string", k, `${at}[${JSON.stringify(k)}]`);
        m[k] = fieldValue(field, v, `${at}[${JSON.stringify(k)}]`, depth);
      }
      out[field.name] = m;
    } else if (field.repeated) {
      if (!Array.isArray(x)) fail(at, `expected an array, got ${describe(x)}`);
      out[field.name] = x.map((v, i) => fieldValue(field, v, `${at}[${i}]`, depth));
    } else {
      out[field.name] = fieldValue(field, x, at, depth);
    }
  }
  for (const oneof of type.oneofsArray ?? []) {
    const set = oneof.fieldsArray.filter((f) => out[f.name] !== undefined);
    if (set.length > 1) fail(`${path}.${oneof.name}`, `oneof has ${set.map((f) => f.name).join(" and ")} set; at most one may be`);
  }
  return out;
}

function fieldValue(field: ProtoField, x: unknown, at: string, depth: number): unknown {
  const resolved = field.resolvedType;
  if (isProtoType(resolved)) return toEncodable(resolved, x, at, depth + 1);
  if (isProtoEnum(resolved)) {
    if (typeof x === "string") {
      if (!Object.hasOwn(resolved.values, x)) fail(at, `${JSON.stringify(x)} is not a ${resolved.name} value`);
      return resolved.values[x];
    }
    if (typeof x === "number" && Object.values(resolved.values).includes(x)) return x;
    return fail(at, `expected a ${resolved.name} name or value, got ${describe(x)}`);
  }
  return scalar(field.type, x, at);
}

function scalar(type: string, x: unknown, at: string): unknown {
  const ints = INT_RANGES[type];
  if (ints !== undefined) {
    if (typeof x !== "number" || !Number.isInteger(x)) fail(at, `expected an integer (${type}), got ${describe(x)}`);
    if (x < ints[0] || x > ints[1]) fail(at, `${x} is out of range for ${type}`);
    return x;
  }
  const longs = LONG_RANGES[type];
  if (longs !== undefined) return longBits(type, x, longs, at);
  switch (type) {
    case "double":
      if (typeof x !== "number") fail(at, `expected a number (double), got ${describe(x)}`);
      return x;
    case "float":
      if (typeof x !== "number") fail(at, `expected a number (float), got ${describe(x)}`);
      if (Number.isFinite(x) && Math.abs(x) > FLOAT_MAX) fail(at, `${x} is out of range for float`);
      return x;
    case "bool":
      if (typeof x !== "boolean") fail(at, `expected a boolean, got ${describe(x)}`);
      return x;
    case "string":
      if (typeof x !== "string") fail(at, `expected a string, got ${describe(x)}`);
      return x;
    case "bytes":
      if (!(x instanceof Uint8Array)) fail(at, `expected bytes (a Uint8Array or Buffer), got ${describe(x)}`);
      return x;
    default:
      return fail(at, `unknown field type ${type}`);
  }
}

/** A 64-bit field's value as exact bits: from a bigint, a Long, a safe integer or a decimal string. */
function longBits(type: string, x: unknown, [min, max]: [bigint, bigint], at: string): LongBits {
  let n: bigint;
  if (typeof x === "bigint") n = x;
  else if (typeof x === "number") {
    if (!Number.isInteger(x)) fail(at, `expected an integer (${type}), got ${describe(x)}`);
    // Past 2^53 a number has already been rounded: the value meant is unknown.
    if (!Number.isSafeInteger(x)) fail(at, `${x} is not a safe integer; give a ${type} past 2^53 as a bigint or a Long`);
    n = BigInt(x);
  } else if (typeof x === "string" && /^-?\d{1,20}$/.test(x)) n = BigInt(x);
  else if (isLong(x)) n = fromLong(x);
  else return fail(at, `expected a ${type} (bigint, Long, safe integer or decimal string), got ${describe(x)}`);
  if (n < min || n > max) fail(at, `${n} is out of range for ${type}`);
  const bits = BigInt.asUintN(64, n);
  return { low: Number(bits & 0xffff_ffffn) | 0, high: Number(bits >> 32n) | 0, unsigned: min === 0n };
}

function isLong(x: unknown): x is LongBits {
  return typeof x === "object" && x !== null && Number.isInteger((x as LongBits).low) && Number.isInteger((x as LongBits).high);
}

function fromLong(x: LongBits): bigint {
  const bits = (BigInt(x.high >>> 0) << 32n) | BigInt(x.low >>> 0);
  return x.unsigned === true ? bits : BigInt.asIntN(64, bits);
}

function checkMapKey(keyType: string, key: string, at: string): void {
  if (keyType === "string") return;
  if (keyType === "bool") {
    if (key !== "true" && key !== "false") fail(at, "map key must be true or false");
    return;
  }
  if (!/^-?\d+$/.test(key)) fail(at, `map key must be an integer (${keyType})`);
  const ints = INT_RANGES[keyType];
  if (ints !== undefined && (Number(key) < ints[0] || Number(key) > ints[1])) fail(at, `map key out of range for ${keyType}`);
  const longs = LONG_RANGES[keyType];
  if (longs !== undefined && (BigInt(key) < longs[0] || BigInt(key) > longs[1])) fail(at, `map key out of range for ${keyType}`);
}

/**
 * After protobufjs's toObject with `longs: String`: each 64-bit integer as a number when it is
 * safe, else as a bigint, so none is rounded.
 */
export function exactLongs(type: ProtoType, obj: Record<string, unknown>, depth = 0): Record<string, unknown> {
  if (depth > MAX_DEPTH) return obj;
  for (const field of type.fieldsArray) {
    const x = obj[field.name];
    if (x === undefined || x === null) continue;
    const resolved = field.resolvedType;
    const fix = (v: unknown): unknown => {
      if (isProtoType(resolved)) return typeof v === "object" && v !== null ? exactLongs(resolved, v as Record<string, unknown>, depth + 1) : v;
      if (LONG_RANGES[field.type] !== undefined && typeof v === "string") {
        const n = BigInt(v);
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      return v;
    };
    if (field.map) {
      for (const k of Object.keys(x as object)) (x as Record<string, unknown>)[k] = fix((x as Record<string, unknown>)[k]);
    } else if (field.repeated && Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) x[i] = fix(x[i]);
    } else {
      obj[field.name] = fix(x);
    }
  }
  return obj;
}
