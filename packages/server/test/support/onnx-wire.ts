/**
 * ONNX messages written field by field, for fields newer than onnx-proto's
 * schema (ONNX 1.10), which it can neither encode nor decode.
 */
import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';

const { onnx } = onnxProto;

/** A length-delimited protobuf field: its tag, its length, then `bytes`. */
export function lengthDelimited(field: number, bytes: Uint8Array): Uint8Array {
  return protobuf.Writer.create()
    .uint32((field << 3) | 2)
    .bytes(bytes)
    .finish();
}

/** A string field, as UTF-8. */
export function stringField(field: number, value: string): Uint8Array {
  return lengthDelimited(field, new TextEncoder().encode(value));
}

/** A `metadata_props` entry (a StringStringEntryProto) as field `field` of its message. */
export function metadataEntry(field: number, key: string, value: string): Uint8Array {
  return lengthDelimited(field, onnx.StringStringEntryProto.encode({ key, value }).finish());
}

/** A message's bytes followed by more fields: protobuf reads them as fields of the same message. */
export function withFields(message: Uint8Array, ...fields: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat([message, ...fields]);
}

/** The payloads of a message's length-delimited fields numbered `field`, in order. */
export function fieldPayloads(message: Uint8Array, field: number): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  const reader = protobuf.Reader.create(message);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === field) payloads.push(reader.bytes());
    else reader.skipType(tag & 7);
  }
  return payloads;
}
