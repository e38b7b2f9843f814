import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { writeAnyValue, writeKeyValues } from './common.js';
import { LOG_RECORD } from './fields.js';
import type { ProtobufWriter } from './protobuf-writer.js';
import { WIRE } from './protobuf-writer.js';

/** One `LogRecord` (logs.proto), its fields in the order of the SDK's serializer. */
export function writeLogRecord(writer: ProtobufWriter, record: ReadableLogRecord): void {
  writer.tag(LOG_RECORD.TIME_UNIX_NANO, WIRE.FIXED64);
  writer.hrTime(record.hrTime);
  if (record.severityNumber !== undefined && record.severityNumber !== SeverityNumber.UNSPECIFIED) {
    writer.tag(LOG_RECORD.SEVERITY_NUMBER, WIRE.VARINT);
    writer.varint(record.severityNumber);
  }
  if (record.severityText) {
    writer.tag(LOG_RECORD.SEVERITY_TEXT, WIRE.LENGTH_DELIMITED);
    writer.string(record.severityText);
  }
  if (record.body !== undefined) {
    writer.tag(LOG_RECORD.BODY, WIRE.LENGTH_DELIMITED);
    const body = writer.beginMessage();
    writeAnyValue(writer, record.body);
    writer.endMessage(body);
  }
  writeKeyValues(writer, record.attributes, LOG_RECORD.ATTRIBUTES);
  writer.tag(LOG_RECORD.DROPPED_ATTRIBUTES_COUNT, WIRE.VARINT);
  writer.varint(record.droppedAttributesCount);
  const context = record.spanContext;
  if (context?.traceFlags) {
    writer.tag(LOG_RECORD.FLAGS, WIRE.FIXED32);
    writer.fixed32(context.traceFlags);
  }
  if (context?.traceId) {
    writer.tag(LOG_RECORD.TRACE_ID, WIRE.LENGTH_DELIMITED);
    writer.hexBytes(context.traceId);
  }
  if (context?.spanId) {
    writer.tag(LOG_RECORD.SPAN_ID, WIRE.LENGTH_DELIMITED);
    writer.hexBytes(context.spanId);
  }
  writer.tag(LOG_RECORD.OBSERVED_TIME_UNIX_NANO, WIRE.FIXED64);
  writer.hrTime(record.hrTimeObserved);
  if (record.eventName) {
    writer.tag(LOG_RECORD.EVENT_NAME, WIRE.LENGTH_DELIMITED);
    writer.string(record.eventName);
  }
}
