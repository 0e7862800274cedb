/**
 * What the protobuf codec uses of protobufjs, as shapes rather than imports: a reflected Type,
 * Root or Enum made by protobufjs 7 or 8 fits them, so the package's types never name
 * protobufjs (an optional peer) and a program's own protobufjs version is the one that works.
 * The module itself is loaded on first use, by require, from the program's dependencies.
 */
import { createRequire } from "node:module";
import { WiremqError } from "../../lib/public-errors.js";

/** A field of a reflected message type (protobufjs `Field`), as the protobuf codec reads it to check values before encoding. */
export interface ProtoField {
  readonly name: string;
  readonly id: number;
  readonly type: string;
  readonly repeated: boolean;
  readonly map: boolean;
  readonly required: boolean;
  readonly keyType?: string;
  readonly delimited?: boolean;
  readonly resolvedType: ProtoType | ProtoEnum | null;
  readonly partOf?: { readonly name: string } | null;
}

/** A reflected enum (protobufjs `Enum`): its value numbers by name. */
export interface ProtoEnum {
  readonly name: string;
  readonly values: { readonly [name: string]: number };
}

/** A reflected message type (protobufjs `Type`). */
export interface ProtoType {
  readonly name: string;
  readonly fullName: string;
  readonly fieldsArray: readonly ProtoField[];
  readonly fieldsById: { readonly [id: number]: ProtoField | undefined };
  readonly oneofsArray?: readonly { readonly name: string; readonly fieldsArray: readonly ProtoField[] }[];
  resolveAll(): unknown;
  verify(message: { [key: string]: unknown }): string | null;
  encode(message: { [key: string]: unknown }): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
  toObject(message: object, options?: ProtoConversion): { [key: string]: unknown };
}

/** A reflected namespace root (protobufjs `Root`). */
export interface ProtoRoot {
  lookupType(name: string): ProtoType;
}

/** How a decoded message becomes a plain object (protobufjs `IConversionOptions`). */
export interface ProtoConversion {
  longs?: typeof String | typeof Number;
  enums?: typeof String;
  bytes?: typeof String | typeof Array;
  defaults?: boolean;
  arrays?: boolean;
  objects?: boolean;
  oneofs?: boolean;
  json?: boolean;
}

/** The few runtime parts of protobufjs the wire check reads bytes with. */
export interface ProtobufRuntime {
  Reader: { create(bytes: Uint8Array): ProtoReader };
  types: { basic: { readonly [type: string]: number | undefined } };
}

export interface ProtoReader {
  pos: number;
  len: number;
  uint32(): number;
  skipType(wireType: number): unknown;
}

export function isProtoType(x: unknown): x is ProtoType {
  return typeof x === "object" && x !== null && Array.isArray((x as ProtoType).fieldsArray) && typeof (x as ProtoType).encode === "function";
}

export function isProtoRoot(x: unknown): x is ProtoRoot {
  return typeof x === "object" && x !== null && typeof (x as ProtoRoot).lookupType === "function";
}

export function isProtoEnum(x: unknown): x is ProtoEnum {
  return typeof x === "object" && x !== null && !isProtoType(x) && typeof (x as ProtoEnum).values === "object";
}

/** The supported majors, as package.json's peerDependencies says. */
export const PROTOBUFJS_RANGE = "7 or 8";

let runtime: ProtobufRuntime | null = null;

/** protobufjs, loaded on first use; ENOTSUP naming the package when it is not installed. */
export function protobufRuntime(): ProtobufRuntime {
  if (runtime !== null) return runtime;
  // Resolved from the library's own place (its CommonJS file when installed), so the program's
  // node_modules is searched as for any dependency.
  const from = typeof __filename === "string" ? __filename : `${process.cwd()}/`;
  try {
    runtime = createRequire(from)("protobufjs") as ProtobufRuntime;
  } catch (err) {
    if ((err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
    throw new WiremqError(
      "ENOTSUP",
      `the protobuf codec needs the package "protobufjs" (${PROTOBUFJS_RANGE}), an optional peer dependency of wiremq: npm install protobufjs`,
      { cause: err },
    );
  }
  return runtime;
}
