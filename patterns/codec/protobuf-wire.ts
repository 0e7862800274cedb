import { decodeUtf8 } from "./string.js";
import { WiremqError } from "../../lib/public-errors.js";
import { isProtoEnum, isProtoType, protobufRuntime, type ProtoField, type ProtoType } from "./protobuf-schema.js";
const MAX_DEPTH = 64;

/**
 * Checks that bytes are a well-formed encoding of `type` before protobufjs decodes them.
 * protobufjs's decoder trusts its input: it reads a string whose length runs past the end,
 * ignores a field's wire type, and accepts wire types 6 and 7, so garbage often "decodes"
 * into a message of empty or made-up fields. This walks the bytes once and throws on: a
 * length or varint running past the end, an invalid wire type, a known field sent with the
 * wrong wire type, a string field that is not UTF-8, and the same in nested messages.
 * Unknown fields are only checked for shape, so newer peers' messages still decode.
 */
export function checkWireFormat(type: ProtoType, bytes: Uint8Array, depth = 0): void {
  if (depth > MAX_DEPTH) throw new WiremqError("EDECODE", "message nests too deep");
  const r = protobufRuntime().Reader.create(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    if (id === 0) throw new WiremqError("EDECODE", "field number 0");
    const field = type.fieldsById[id];
    if (field !== undefined) checkFieldWireType(field, wireType);
    switch (wireType) {
      case 0:
      case 1:
      case 5:
      case 3:
        r.skipType(wireType);
        break;
      case 2: {
        const length = r.uint32();
        if (r.pos + length > r.len) throw new WiremqError("EDECODE", `field ${id}: length ${length} runs past the end`);
        const body = bytes.subarray(r.pos, r.pos + length);
        r.pos += length;
        if (field === undefined) break;
        if (field.type === "string" && !field.map) decodeUtf8(body);
        else if (isProtoType(field.resolvedType) && !field.map) checkWireFormat(field.resolvedType, body, depth + 1);
        break;
      }
      default:
        throw new WiremqError("EDECODE", `field ${id}: invalid wire type ${wireType}`);
    }
  }
}

function checkFieldWireType(field: ProtoField, wireType: number): void {
  const resolved = field.resolvedType;
  let expected: number;
  if (field.map) expected = 2;
  else if (isProtoType(resolved)) expected = field.delimited === true || (resolved as { group?: boolean }).group === true ? 3 : 2;
  else if (isProtoEnum(resolved)) expected = 0;
  else expected = protobufRuntime().types.basic[field.type] ?? 2;
  // Repeated scalars may come packed (one length-delimited run) whatever the schema says.
  const packable = field.repeated && expected !== 2 && expected !== 3;
  if (wireType !== expected && !(packable && wireType === 2)) {
    throw new WiremqError("EDECODE", `field ${field.name}: wire type ${wireType}, expected ${expected}`);
  }
}
