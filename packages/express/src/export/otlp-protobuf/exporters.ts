import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import type { IExportLogsServiceResponse, IExportTraceServiceResponse } from '@opentelemetry/otlp-transformer';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { OtlpHttpSignal } from '../otlp-http-exporter.js';
import { otlpHttpExporter } from '../otlp-http-exporter.js';
import type { HoldingExporter } from '../queued-exporter.js';
import type { ResourceItem } from './common.js';
import type { EncodedItem } from './item-arena.js';
import type { NoteOf } from './item-encoder.js';
import { ItemEncoder } from './item-encoder.js';
import { writeLogRecord } from './logs.js';
import type { ProtobufWriter } from './protobuf-writer.js';
import { writeSpan } from './traces.js';

/** An OTLP/HTTP protobuf exporter whose queue holds each item as the bytes it is sent as. */
export type EncodingExporter<T> = Required<HoldingExporter<T, EncodedItem>>;

/** One signal as {@link encodingExporter} writes it: how an item's fields are written, and the SDK's names. */
interface EncodedSignal<T, R> extends Omit<OtlpHttpSignal<EncodedItem, R>, 'serializer' | 'metricsHelper'> {
  itemName: 'log' | 'span';
  writeItem: (writer: ProtobufWriter, item: T) => void;
  deserializeResponse: (data: Uint8Array) => R;
}

const LOGS: EncodedSignal<ReadableLogRecord, IExportLogsServiceResponse> = {
  signal: 'LOGS',
  path: 'v1/logs',
  componentType: 'otlp_http_log_exporter',
  itemName: 'log',
  writeItem: writeLogRecord,
  deserializeResponse: (data) => ProtobufLogsSerializer.deserializeResponse(data),
  rejected: ({ partialSuccess }) =>
    partialSuccess && { count: partialSuccess.rejectedLogRecords, errorMessage: partialSuccess.errorMessage },
};

const SPANS: EncodedSignal<ReadableSpan, IExportTraceServiceResponse> = {
  signal: 'TRACES',
  path: 'v1/traces',
  componentType: 'otlp_http_span_exporter',
  itemName: 'span',
  writeItem: writeSpan,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  rejected: ({ partialSuccess }) =>
    partialSuccess && { count: partialSuccess.rejectedSpans, errorMessage: partialSuccess.errorMessage },
};

/**
 * The SDK's OTLP/HTTP protobuf exporter (configuration, transport, retries,
 * compression: see {@link otlpHttpExporter}) whose items are written in
 * protobuf as they are queued (`hold`, see {@link ItemEncoder}): the same
 * bytes as `@opentelemetry/otlp-transformer`'s serializer writes, with
 * nothing of the record or span left for the garbage collector to copy
 * while it waits for its batch.
 */
function encodingExporter<T extends ResourceItem, R>(
  config: OTLPExporterNodeConfigBase,
  signal: EncodedSignal<T, R>,
  noteOf: NoteOf<T> | undefined,
): EncodingExporter<T> {
  const encoder = new ItemEncoder(signal.writeItem, noteOf);
  const exporter = otlpHttpExporter(
    config,
    Object.assign({}, signal, {
      metricsHelper: { name: signal.itemName, countItems: (items: unknown[]) => items.length },
      serializer: {
        serializeRequest: (items: EncodedItem[]) => encoder.serialize(items),
        deserializeResponse: signal.deserializeResponse,
      },
    }),
  );
  return Object.assign({}, exporter, { hold: (item: T, queued: boolean) => encoder.hold(item, queued) });
}

/**
 * The SDK's OTLP/HTTP protobuf log exporter with each record written as it
 * is queued (see {@link encodingExporter}), in under half the time the
 * SDK's serializer takes; a lost record's note is `noteOf` it. A partial
 * success counts its rejected records as failed (see {@link otlpHttpExporter}).
 */
export function protobufLogExporter(
  config: OTLPExporterNodeConfigBase,
  noteOf?: NoteOf<ReadableLogRecord>,
): EncodingExporter<ReadableLogRecord> {
  return encodingExporter(config, LOGS, noteOf);
}

/** The span counterpart of {@link protobufLogExporter}. */
export function protobufSpanExporter(config: OTLPExporterNodeConfigBase): EncodingExporter<ReadableSpan> {
  return encodingExporter(config, SPANS, undefined);
}
