import type { HrTime, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { writeKeyValues } from './common.js';
import { SPAN, SPAN_EVENT, SPAN_LINK, STATUS } from './fields.js';
import type { ProtobufWriter } from './protobuf-writer.js';
import { WIRE } from './protobuf-writer.js';

/** `Span.flags`: bit 8 says whether the parent's remoteness is known, bit 9 that it is remote (trace.proto). */
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (isRemote ? FLAGS_IS_REMOTE : 0);
}

function writeTime(writer: ProtobufWriter, field: number, time: HrTime): void {
  writer.tag(field, WIRE.FIXED64);
  writer.hrTime(time);
}

/** Trace id, span id and trace state, numbered alike in `Span` and `Span.Link`. */
function writeContext(writer: ProtobufWriter, context: SpanContext): void {
  writer.tag(SPAN.TRACE_ID, WIRE.LENGTH_DELIMITED);
  writer.hexBytes(context.traceId);
  writer.tag(SPAN.SPAN_ID, WIRE.LENGTH_DELIMITED);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag(SPAN.TRACE_STATE, WIRE.LENGTH_DELIMITED);
    writer.string(traceState);
  }
}

function writeStatus(writer: ProtobufWriter, status: SpanStatus): void {
  writer.tag(SPAN.STATUS, WIRE.LENGTH_DELIMITED);
  const start = writer.beginMessage();
  if (status.message) {
    writer.tag(STATUS.MESSAGE, WIRE.LENGTH_DELIMITED);
    writer.string(status.message);
  }
  writer.tag(STATUS.CODE, WIRE.VARINT);
  writer.varint(status.code);
  writer.endMessage(start);
}

function writeEvent(writer: ProtobufWriter, event: TimedEvent): void {
  writer.tag(SPAN.EVENTS, WIRE.LENGTH_DELIMITED);
  const start = writer.beginMessage();
  writeTime(writer, SPAN_EVENT.TIME_UNIX_NANO, event.time);
  writer.tag(SPAN_EVENT.NAME, WIRE.LENGTH_DELIMITED);
  writer.string(event.name);
  if (event.attributes) writeKeyValues(writer, event.attributes, SPAN_EVENT.ATTRIBUTES);
  writer.tag(SPAN_EVENT.DROPPED_ATTRIBUTES_COUNT, WIRE.VARINT);
  writer.varint(event.droppedAttributesCount ?? 0);
  writer.endMessage(start);
}

function writeLink(writer: ProtobufWriter, link: Link): void {
  writer.tag(SPAN.LINKS, WIRE.LENGTH_DELIMITED);
  const start = writer.beginMessage();
  const context: SpanContext = link.context;
  writeContext(writer, context);
  if (link.attributes) writeKeyValues(writer, link.attributes, SPAN_LINK.ATTRIBUTES);
  writer.tag(SPAN_LINK.DROPPED_ATTRIBUTES_COUNT, WIRE.VARINT);
  writer.varint(link.droppedAttributesCount ?? 0);
  writer.tag(SPAN_LINK.FLAGS, WIRE.FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, context.isRemote));
  writer.endMessage(start);
}

/** One `Span` (trace.proto), its fields in the order of the SDK's serializer. */
export function writeSpan(writer: ProtobufWriter, span: ReadableSpan): void {
  const context = span.spanContext();
  writeContext(writer, context);
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.tag(SPAN.PARENT_SPAN_ID, WIRE.LENGTH_DELIMITED);
    writer.hexBytes(parent.spanId);
  }
  writer.tag(SPAN.NAME, WIRE.LENGTH_DELIMITED);
  writer.string(span.name);
  // The API's SpanKind counts from INTERNAL = 0; OTLP's from UNSPECIFIED = 0.
  writer.tag(SPAN.KIND, WIRE.VARINT);
  writer.varint(span.kind + 1);
  writeTime(writer, SPAN.START_TIME_UNIX_NANO, span.startTime);
  writeTime(writer, SPAN.END_TIME_UNIX_NANO, span.endTime);
  writeKeyValues(writer, span.attributes, SPAN.ATTRIBUTES);
  writer.tag(SPAN.DROPPED_ATTRIBUTES_COUNT, WIRE.VARINT);
  writer.varint(span.droppedAttributesCount);
  for (const event of span.events) writeEvent(writer, event);
  writer.tag(SPAN.DROPPED_EVENTS_COUNT, WIRE.VARINT);
  writer.varint(span.droppedEventsCount);
  for (const link of span.links) writeLink(writer, link);
  writer.tag(SPAN.DROPPED_LINKS_COUNT, WIRE.VARINT);
  writer.varint(span.droppedLinksCount);
  writeStatus(writer, span.status);
  writer.tag(SPAN.FLAGS, WIRE.FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}
