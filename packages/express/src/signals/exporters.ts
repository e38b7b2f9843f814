import { readFileSync } from 'node:fs';
import type { AgentOptions } from 'node:https';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { ResolvedOtlp } from '../config.js';
import { protobufLogExporter, protobufSpanExporter } from '../export/otlp-protobuf/exporters.js';

/** One exporter per signal that has an endpoint. */
export interface OtlpExporters {
  logs: LogRecordExporter | undefined;
  traces: SpanExporter | undefined;
  metrics: PushMetricExporter | undefined;
}

/** TLS material read once, at construction, from the PEM files the options name. */
function agentOptions(otlp: ResolvedOtlp): AgentOptions {
  const read = (path: string | undefined): Buffer | undefined => (path === undefined ? undefined : readFileSync(path));
  return {
    keepAlive: true,
    ca: read(otlp.certificate),
    cert: read(otlp.clientCertificate),
    key: read(otlp.clientKey),
  };
}

/**
 * The OTLP/HTTP exporters of the signals that have an endpoint, JSON or
 * protobuf, sharing headers, timeout, compression and TLS. Protobuf logs and
 * spans are written by the middleware's own serializers (see
 * `export/otlp-protobuf`).
 */
export function otlpExporters(otlp: ResolvedOtlp): OtlpExporters {
  const shared = (url: string): OTLPExporterNodeConfigBase => ({
    url,
    headers: otlp.headers,
    timeoutMillis: otlp.timeoutMillis,
    compression: otlp.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    httpAgentOptions: agentOptions(otlp),
  });
  const json = otlp.protocol === 'http/json';
  const build = <T>(
    url: string | undefined,
    Json: new (c: OTLPExporterNodeConfigBase) => T,
    proto: (c: OTLPExporterNodeConfigBase) => T,
  ) => (url === undefined ? undefined : json ? new Json(shared(url)) : proto(shared(url)));
  return {
    logs: build<LogRecordExporter>(otlp.logsUrl, JsonLogExporter, protobufLogExporter),
    traces: build<SpanExporter>(otlp.tracesUrl, JsonTraceExporter, protobufSpanExporter),
    metrics: build<PushMetricExporter>(otlp.metricsUrl, JsonMetricExporter, (c) => new ProtoMetricExporter(c)),
  };
}
