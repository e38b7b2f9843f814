import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import type {
  IExportLogsServiceResponse,
  IExportTraceServiceResponse,
  ISerializer,
} from '@opentelemetry/otlp-transformer';
import {
  LogsExporterMetricsHelper,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { serializeLogs } from './logs.js';
import { serializeSpans } from './traces.js';

const PROTOBUF_HEADERS = { 'Content-Type': 'application/x-protobuf' };
/** The `otel.component.type` of each exporter, as the SDK's own OTLP/HTTP exporters name themselves. */
const LOG_EXPORTER_TYPE = 'otlp_http_log_exporter';
const SPAN_EXPORTER_TYPE = 'otlp_http_span_exporter';

/** The SDK's serializers, with this folder's request writers in place of theirs. */
const logsSerializer: ISerializer<ReadableLogRecord[], IExportLogsServiceResponse> = {
  ...ProtobufLogsSerializer,
  serializeRequest: serializeLogs,
};

const spansSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  ...ProtobufTraceSerializer,
  serializeRequest: serializeSpans,
};

/**
 * The SDK's OTLP/HTTP protobuf log exporter (configuration, transport,
 * retries, compression, response handling) with this folder's serializer
 * in place of its own: the same bytes, written in under half the time.
 */
export function protobufLogExporter(config: OTLPExporterNodeConfigBase): LogRecordExporter {
  const options = convertLegacyHttpOptions(config, 'LOGS', 'v1/logs', PROTOBUF_HEADERS);
  return new OTLPExporterBase(
    createOtlpHttpExportDelegate(options, logsSerializer, LOG_EXPORTER_TYPE, LogsExporterMetricsHelper, undefined),
  );
}

/** The span counterpart of {@link protobufLogExporter}. */
export function protobufSpanExporter(config: OTLPExporterNodeConfigBase): SpanExporter {
  const options = convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', PROTOBUF_HEADERS);
  return new OTLPExporterBase(
    createOtlpHttpExportDelegate(options, spansSerializer, SPAN_EXPORTER_TYPE, TraceExporterMetricsHelper, undefined),
  );
}
