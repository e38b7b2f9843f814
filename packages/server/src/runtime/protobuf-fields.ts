/**
 * Edits protobuf messages field by field, copying every field it is not
 * asked to change as it was written, so that fields no schema here knows
 * (newer ONNX versions add them) come through unchanged.
 */
import protobuf from 'protobufjs/minimal.js';

/** Protobuf's wire type of a varint field, such as an integer or an enum. */
const VARINT = 0;
/** Protobuf's wire type of a length-delimited field: a string, bytes or an embedded message. */
const LENGTH_DELIMITED = 2;

/** One field of a message, as written. */
export interface Field {
  readonly number: number;
  /** The whole field: its tag, then its value. */
  readonly bytes: Uint8Array;
  /** A length-delimited field's value, without its length; undefined for other wire types. */
  readonly payload: Uint8Array | undefined;
}

/** A message's fields in the order they are written, as protobufjs's reader walks them. */
export function messageFields(message: Uint8Array): Field[] {
  const fields: Field[] = [];
  const reader = protobuf.Reader.create(message);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    let payload: Uint8Array | undefined;
    if ((tag & 7) === LENGTH_DELIMITED) payload = reader.bytes();
    else reader.skipType(tag & 7);
    fields.push({ number: tag >>> 3, bytes: message.subarray(start, reader.pos), payload });
  }
  return fields;
}

/** A writer that has written a field's tag; the caller writes its value. */
function fieldWriter(number: number, wireType: number): protobuf.Writer {
  return protobuf.Writer.create().uint32((number << 3) | wireType);
}

/** A length-delimited field holding `payload`. */
export function lengthDelimitedField(number: number, payload: Uint8Array): Uint8Array {
  return fieldWriter(number, LENGTH_DELIMITED).bytes(payload).finish();
}

/**
 * The start of a length-delimited field whose value, `length` bytes, the
 * caller writes after it: a large value (a model's graph) is then copied
 * once, into the message, rather than first into its field.
 */
export function lengthDelimitedHeader(number: number, length: number): Uint8Array {
  return fieldWriter(number, LENGTH_DELIMITED).uint32(length).finish();
}

/** A varint field holding `value`. */
export function varintField(number: number, value: number): Uint8Array {
  return fieldWriter(number, VARINT).int32(value).finish();
}

/** A string field, in UTF-8. */
export function stringField(number: number, value: string): Uint8Array {
  return fieldWriter(number, LENGTH_DELIMITED).string(value).finish();
}

/** A length-delimited field's value read as a string, as protobufjs decodes strings. */
export function fieldString(field: Field): string | undefined {
  return field.payload && protobuf.util.utf8.read(field.payload, 0, field.payload.length);
}

/**
 * A length-delimited field with its value passed through `edit`, or
 * undefined where `edit` returns the value it was given (or the field is no
 * length-delimited one), so that the field is kept as written.
 */
export function editedField(field: Field, edit: (payload: Uint8Array) => Uint8Array): Uint8Array | undefined {
  if (!field.payload) return undefined;
  const edited = edit(field.payload);
  return edited === field.payload ? undefined : lengthDelimitedField(field.number, edited);
}

/**
 * The message with some of its fields replaced: `replace` returns a
 * field's new bytes (tag included, several fields or none allowed), or
 * undefined to keep it as written. Returns the message itself when no
 * field is replaced, so callers can tell that nothing changed.
 */
export function replaceFields(message: Uint8Array, replace: (field: Field) => Uint8Array | undefined): Uint8Array {
  let replaced = false;
  const parts = messageFields(message).map((field) => {
    const replacement = replace(field);
    if (replacement === undefined) return field.bytes;
    replaced = true;
    return replacement;
  });
  return replaced ? Buffer.concat(parts) : message;
}

/** The message with the value of each length-delimited field numbered `number` passed through `edit`; see {@link replaceFields}. */
export function editFields(message: Uint8Array, number: number, edit: (payload: Uint8Array) => Uint8Array): Uint8Array {
  return replaceFields(message, (field) => (field.number === number ? editedField(field, edit) : undefined));
}
