import { DEFAULT_MONITORING_DIRECTORY } from '../file-sink/file-log-exporter.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES } from '../file-sink/rotating-file.js';
import type { EmbeddingVectorsMode, LoggerMode, OtlpCompression, OtlpProtocol } from '../types.js';
import type { MetricsTemporality } from './otlp.js';

export const DEFAULT_SERVICE_NAME = 'inferlens';
export const DEFAULT_MODE: LoggerMode = 'all';
export const DEFAULT_PAYLOAD_SAMPLE_RATE = 1;
export const DEFAULT_SLOW_REQUEST_THRESHOLD_MS = 1000;
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
export const DEFAULT_EMBEDDING_VECTORS: EmbeddingVectorsMode = 'summary';
export const DEFAULT_OTLP_TIMEOUT_MILLIS = 10_000;
export const DEFAULT_OTLP_COMPRESSION: OtlpCompression = 'gzip';
export const DEFAULT_OTLP_PROTOCOL: OtlpProtocol = 'http/protobuf';
export const DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS = 60_000;
/** The specification's default of OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE. */
export const DEFAULT_METRICS_TEMPORALITY: MetricsTemporality = 'cumulative';
/** The specification's defaults of OTEL_EXPORTER_PROMETHEUS_HOST and _PORT. */
export const DEFAULT_PROMETHEUS_HOST = 'localhost';
export const DEFAULT_PROMETHEUS_PORT = 9464;
export {
  DEFAULT_MONITORING_DIRECTORY as DEFAULT_FILE_SINK_DIRECTORY,
  DEFAULT_MAX_FILE_BYTES as DEFAULT_FILE_SINK_MAX_FILE_BYTES,
  DEFAULT_MAX_FILES as DEFAULT_FILE_SINK_MAX_FILES,
};
