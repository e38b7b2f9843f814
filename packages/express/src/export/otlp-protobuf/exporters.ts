import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import type { IExportLogsServiceResponse, IExportTraceServiceResponse } from '@opentelemetry/otlp-transformer';
import {
  LogsExporterMetricsHelper,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpHttpSignal } from '../otlp-http-exporter.js';
import { otlpHttpExporter } from '../otlp-http-exporter.js';
import { serializeLogs } from './logs.js';
import { serializeSpans } from './traces.js';

/**
 * Logs: the SDK's protobuf serializer with this folder's request writer in
 * place of its own, and the `otel.component.type` of the SDK's own exporter.
 */
const LOGS: OtlpHttpSignal<ReadableLogRecord, IExportLogsServiceResponse> = {
  signal: 'LOGS',
  path: 'v1/logs',
  componentType: 'otlp_http_log_exporter',
  metricsHelper: LogsExporterMetricsHelper,
  serializer: { ...ProtobufLogsSerializer, serializeRequest: serializeLogs },
  rejected: ({ partialSuccess }) =>
    partialSuccess && { count: partialSuccess.rejectedLogRecords, errorMessage: partialSuccess.errorMessage },
};

/** The span counterpart of {@link LOGS}. */
const SPANS: OtlpHttpSignal<ReadableSpan, IExportTraceServiceResponse> = {
  signal: 'TRACES',
  path: 'v1/traces',
  componentType: 'otlp_http_span_exporter',
  metricsHelper: TraceExporterMetricsHelper,
  serializer: { ...ProtobufTraceSerializer, serializeRequest: serializeSpans },
  rejected: ({ partialSuccess }) =>
    partialSuccess && { count: partialSuccess.rejectedSpans, errorMessage: partialSuccess.errorMessage },
};

/**
 * The SDK's OTLP/HTTP protobuf log exporter (configuration, transport,
 * retries, compression) with this folder's serializer in place of its own:
 * the same bytes, written in under half the time. A partial success counts
 * its rejected records as failed (see {@link otlpHttpExporter}).
 */
export function protobufLogExporter(config: OTLPExporterNodeConfigBase): LogRecordExporter {
  return otlpHttpExporter(config, LOGS);
}

/** The span counterpart of {@link protobufLogExporter}. */
export function protobufSpanExporter(config: OTLPExporterNodeConfigBase): SpanExporter {
  return otlpHttpExporter(config, SPANS);
}
