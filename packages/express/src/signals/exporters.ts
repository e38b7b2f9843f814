import { readFileSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import type { OTLPMetricExporterOptions } from '@opentelemetry/exporter-metrics-otlp-http';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { MetricsTemporality, ResolvedOtlp, ResolvedOtlpExport } from '../config/otlp.js';
import type { EncodingExporter } from '../export/otlp-protobuf/exporters.js';
import type { NoteOf } from '../export/otlp-protobuf/item-encoder.js';
import { protobufLogExporter, protobufSpanExporter } from '../export/otlp-protobuf/exporters.js';

/** One exporter per signal that has an endpoint; protobuf logs and spans are held encoded in their queues. */
export interface OtlpExporters {
  logs: LogRecordExporter | EncodingExporter<ReadableLogRecord> | undefined;
  traces: SpanExporter | EncodingExporter<ReadableSpan> | undefined;
  metrics: PushMetricExporter | undefined;
}

/** TLS material read once, at construction, from the PEM files the options name. */
function agentOptions(settings: ResolvedOtlpExport): AgentOptions {
  const read = (path: string | undefined): Buffer | undefined => (path === undefined ? undefined : readFileSync(path));
  return {
    keepAlive: true,
    ca: read(settings.certificate),
    cert: read(settings.clientCertificate),
    key: read(settings.clientKey),
  };
}

/** The exporter configuration of one signal, from the settings resolved for it. */
function exporterConfig(settings: ResolvedOtlpExport): OTLPExporterNodeConfigBase {
  return {
    url: settings.url,
    headers: settings.headers,
    timeoutMillis: settings.timeoutMillis,
    compression: settings.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    httpAgentOptions: agentOptions(settings),
  };
}

const TEMPORALITY_PREFERENCES: Readonly<Record<MetricsTemporality, AggregationTemporalityPreference>> = {
  cumulative: AggregationTemporalityPreference.CUMULATIVE,
  delta: AggregationTemporalityPreference.DELTA,
  lowmemory: AggregationTemporalityPreference.LOWMEMORY,
};

/**
 * The OTLP/HTTP exporters of the signals that have an endpoint, each JSON or
 * protobuf with its own headers, timeout, compression and TLS (a signal's
 * `OTEL_EXPORTER_OTLP_<SIGNAL>_*` variables may set them apart). Protobuf
 * logs and spans are written by the middleware's own serializers as they
 * are queued, and their exporters gzip each request at the fastest level on
 * the thread pool and count a partial success's rejected items as failed
 * (see `export/otlp-protobuf` and `export/otlp-http-exporter`); a lost log
 * record's note is `logNote` of it. JSON goes through the SDK's own
 * OTLP/HTTP exporters as they are.
 */
export function otlpExporters(otlp: ResolvedOtlp, logNote?: NoteOf<ReadableLogRecord>): OtlpExporters {
  const build = <T>(
    settings: ResolvedOtlpExport | undefined,
    json: (c: OTLPExporterNodeConfigBase) => T,
    proto: (c: OTLPExporterNodeConfigBase) => T,
  ): T | undefined => {
    if (settings === undefined) return undefined;
    const config = exporterConfig(settings);
    return settings.protocol === 'http/json' ? json(config) : proto(config);
  };
  // Given to the metric exporters so that they do not read OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE again
  // themselves, untrimmed and with a bad value reported through `diag` alone.
  const metricOptions: OTLPMetricExporterOptions = {
    temporalityPreference: TEMPORALITY_PREFERENCES[otlp.metricsTemporality],
  };
  return {
    logs: build<OtlpExporters['logs']>(
      otlp.logs,
      (c) => new JsonLogExporter(c),
      (c) => protobufLogExporter(c, logNote),
    ),
    traces: build<OtlpExporters['traces']>(otlp.traces, (c) => new JsonTraceExporter(c), protobufSpanExporter),
    metrics: build<PushMetricExporter>(
      otlp.metrics,
      (c) => new JsonMetricExporter(Object.assign({}, c, metricOptions)),
      (c) => new ProtoMetricExporter(Object.assign({}, c, metricOptions)),
    ),
  };
}
