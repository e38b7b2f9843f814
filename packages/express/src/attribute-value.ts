/**
 * The longest string a call puts in an attribute, in UTF-16 code units
 * (the OpenTelemetry SDK's `attributeValueLengthLimit`, whose default is no
 * limit). The model name of an OpenAI call comes from the request body, and
 * the request id, the path and the captured headers from the client: without
 * a limit, a client could put megabytes on every span and record, and into
 * each of the metrics' 2000 attribute sets, which are kept for the process's
 * life.
 */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 256;

/** `value` cut to {@link MAX_ATTRIBUTE_VALUE_LENGTH}, never between the two halves of a surrogate pair. */
export function boundedAttributeValue(value: string): string {
  if (value.length <= MAX_ATTRIBUTE_VALUE_LENGTH) return value;
  const end = isHighSurrogate(value.charCodeAt(MAX_ATTRIBUTE_VALUE_LENGTH - 1))
    ? MAX_ATTRIBUTE_VALUE_LENGTH - 1
    : MAX_ATTRIBUTE_VALUE_LENGTH;
  return value.slice(0, end);
}

const HIGH_SURROGATE_FIRST = 0xd800;
const HIGH_SURROGATE_LAST = 0xdbff;

function isHighSurrogate(code: number): boolean {
  return code >= HIGH_SURROGATE_FIRST && code <= HIGH_SURROGATE_LAST;
}
