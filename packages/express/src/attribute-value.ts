import { isHighSurrogate } from '@inferlens/protocol';

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

/**
 * The longest error message, and exception stack, a failed call records, in
 * UTF-16 code units: room for any message a server writes and a stack's
 * frames, where a message quoting what a client sent (a model name of a
 * megabyte) would otherwise put all of it on the span, its exception event
 * and the response record.
 */
export const MAX_ERROR_TEXT_LENGTH = 4096;

/** `value` cut to `limit` code units, never between the two halves of a surrogate pair. */
export function cutText(value: string, limit: number): string {
  if (value.length <= limit) return value;
  return value.slice(0, isHighSurrogate(value.charCodeAt(limit - 1)) ? limit - 1 : limit);
}

/** `value` cut to {@link MAX_ATTRIBUTE_VALUE_LENGTH}. */
export function boundedAttributeValue(value: string): string {
  return cutText(value, MAX_ATTRIBUTE_VALUE_LENGTH);
}

/** An error message or stack cut to {@link MAX_ERROR_TEXT_LENGTH}. */
export function boundedErrorText(text: string): string {
  return cutText(text, MAX_ERROR_TEXT_LENGTH);
}
