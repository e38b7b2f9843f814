import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { createAlwaysRecordSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../config.js';
import type { LostItems } from '../export/bounded-queue.js';
import type { EncodingExporter } from '../export/otlp-protobuf/exporters.js';
import type { EncodedItem } from '../export/otlp-protobuf/item-arena.js';
import { QueuedExporter } from '../export/queued-exporter.js';
import { BoundedSpanProcessor } from '../export/span-processor.js';
import { AggregatedCallMetrics } from '../metrics/aggregated-metrics.js';
import { FileLogRecordExporter } from '../file-sink/file-log-exporter.js';
import type { TelemetryReporter } from '../reporter.js';
import { slowCall } from '../sampling.js';
import { ATTR_MONITOR_NAME, ATTR_RECORD_TYPE, RECORD_TYPE } from '../semconv.js';
import { PACKAGE_VERSION } from '../version.js';
import { limitingSink } from './attribute-limits.js';
import { otlpExporters } from './exporters.js';
import { ownResource } from './own-resource.js';
import { servePrometheus } from './prometheus-endpoint.js';
import type { LogRecordSink } from './queueing-logger.js';
import { QueueingLogger } from './queueing-logger.js';
import type { NamedQueue, Signals } from './signals.js';
import { SCOPE_NAME } from './signals.js';

/**
 * Whether a finished span is exported: sampled spans always; spans the
 * sampler declined (they are still recorded) when the call failed or was
 * slow, so that the always-kept payload records of such calls have their
 * trace.
 */
function keepSpan(slowThresholdMs: number): (span: ReadableSpan) => boolean {
  return (span) => {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) return true;
    if (span.status.code === SpanStatusCode.ERROR) return true;
    return slowCall(span.duration, slowThresholdMs);
  };
}

/**
 * Runs each stage once the one before has settled, whether it succeeded or
 * not, then rejects with the first failure met: a sink whose flush or
 * shutdown fails leaves neither the metrics unexported nor the Prometheus
 * port open.
 */
async function inStages(stages: readonly (() => readonly unknown[])[]): Promise<void> {
  let failure: PromiseRejectedResult | undefined;
  for (const stage of stages) {
    const results = await Promise.allSettled(stage());
    failure ??= results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  }
  if (failure !== undefined) throw failure.reason;
}

/** The monitor whose schema `record` is, if it is a schema record. */
function schemaMonitor({ attributes }: ReadableLogRecord): string | undefined {
  const monitor = attributes[ATTR_MONITOR_NAME];
  return attributes[ATTR_RECORD_TYPE] === RECORD_TYPE.MONITOR_SCHEMA && typeof monitor === 'string'
    ? monitor
    : undefined;
}

/**
 * A log queue's listener for lost records: each monitor whose schema record
 * was among them is told to `schemaDue`, for its next row to write it again.
 * A record held encoded carries its monitor as its note.
 */
function lostSchemas(schemaDue: (monitor: string) => void): LostItems<ReadableLogRecord | EncodedItem> {
  return (items) => {
    for (const item of items) {
      const monitor = 'note' in item ? item.note : schemaMonitor(item);
      if (monitor !== undefined) schemaDue(monitor);
    }
  };
}

/**
 * Private providers built from the options, not registered globally: the
 * application's own telemetry is left as it is, and no context manager is
 * installed (the middleware passes contexts explicitly, which keeps async
 * hooks off the request path). `schemaDue` is told of each monitor whose
 * schema may be missing where its rows go: its schema record was dropped
 * or failed to export, or the file sink started a new file of its rows.
 */
export function ownSignals(
  config: ResolvedConfig,
  reporter: TelemetryReporter,
  schemaDue: (monitor: string) => void,
): Signals {
  const resource = ownResource(config);
  const exporters = config.otlp === undefined ? undefined : otlpExporters(config.otlp, schemaMonitor);
  const queues: NamedQueue[] = [];

  const logQueues: QueuedExporter<ReadableLogRecord, ReadableLogRecord | EncodedItem>[] = [];
  // What the logger hands its records to: the OTLP queue through the attribute limits, the files' queue as they are.
  const logSinks: LogRecordSink[] = [];
  const onLost = lostSchemas(schemaDue);
  const addLogQueue = (
    exporter: LogRecordExporter | EncodingExporter<ReadableLogRecord>,
    destination: NamedQueue['destination'],
  ): void => {
    const label = destination === 'otlp' ? 'logs to otlp' : 'logs to files';
    const logQueue = new QueuedExporter<ReadableLogRecord, ReadableLogRecord | EncodedItem>({
      exporter,
      queue: config.logQueue,
      reporter,
      label,
      onLost,
    });
    logQueues.push(logQueue);
    logSinks.push(destination === 'otlp' ? limitingSink(logQueue, config.logRecordLimits) : logQueue);
    queues.push({ signal: 'logs', destination, queue: logQueue.queue as NamedQueue['queue'] });
  };
  if (exporters?.logs !== undefined) addLogQueue(exporters.logs, 'otlp');
  if (config.fileSink !== undefined) addLogQueue(new FileLogRecordExporter(config.fileSink, schemaDue), 'file');

  const spanProcessors: SpanProcessor[] = [];
  if (exporters?.traces !== undefined) {
    const processor = new BoundedSpanProcessor<ReadableSpan | EncodedItem>({
      exporter: exporters.traces,
      queue: config.spanQueue,
      reporter,
      label: 'traces to otlp',
      keep: keepSpan(config.slowRequestThresholdMs),
    });
    spanProcessors.push(processor);
    queues.push({ signal: 'traces', destination: 'otlp', queue: processor.queue as NamedQueue['queue'] });
  }

  const tracerProvider = new TracerProvider({
    resource,
    sampler: createAlwaysRecordSampler(config.traceSampler),
    spanLimits: config.spanLimits,
    spanProcessors,
  });
  const callMetrics = new AggregatedCallMetrics(resource, { name: SCOPE_NAME, version: PACKAGE_VERSION }, queues);
  const readers: MetricReader[] = [];
  if (exporters?.metrics !== undefined) {
    const { metricExportIntervalMillis, metricExportTimeoutMillis } = config.otlp!;
    const reader = new PeriodicExportingMetricReader({
      exporter: exporters.metrics,
      exportIntervalMillis: metricExportIntervalMillis,
      exportTimeoutMillis: metricExportTimeoutMillis,
      metricProducers: [callMetrics],
    });
    // Prometheus reads cumulative values only, and the producer keeps one temporality for every reader.
    if (config.prometheus === undefined) {
      callMetrics.useTemporality((instrumentType) => reader.selectAggregationTemporality(instrumentType));
    } else if (config.otlp!.metricsTemporality !== 'cumulative') {
      reporter.warnOnce(
        'INFERLENS_PROMETHEUS_TEMPORALITY',
        `OTLP metrics are sent cumulative, not ${config.otlp!.metricsTemporality} ` +
          '(OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE): the Prometheus endpoint needs cumulative values',
      );
    }
    readers.push(reader);
  }
  const prometheus =
    config.prometheus === undefined ? undefined : servePrometheus(config.prometheus, callMetrics, reporter);
  if (prometheus !== undefined) readers.push(prometheus.reader);
  const meterProvider = new MeterProvider({ resource, readers });

  // Metrics go last: they count what the span and log queues exported and dropped, so they are read once those are done.
  const queued = [tracerProvider, ...logQueues];
  // Flushed directly: the tracer provider gives its processors 30 s, and a queue of batches each given the export timeout may need longer.
  const flushed = [...spanProcessors, ...logQueues];
  // Once: the SDK's MeterProvider answers a second shutdown at once, before the first one's last export is done.
  let shutdown: Promise<void> | undefined;
  return {
    tracer: tracerProvider.getTracer(SCOPE_NAME, PACKAGE_VERSION),
    logger: new QueueingLogger(resource, { name: SCOPE_NAME, version: PACKAGE_VERSION }, logSinks),
    metrics: callMetrics,
    prometheusUrl: prometheus?.url ?? Promise.resolve(undefined),
    forceFlush: () => inStages([() => flushed.map((queue) => queue.forceFlush()), () => [meterProvider.forceFlush()]]),
    shutdown: () =>
      (shutdown ??= inStages([
        () => queued.map((provider) => provider.shutdown()),
        () => [meterProvider.shutdown()],
        () => [prometheus?.close()],
      ])),
  };
}
