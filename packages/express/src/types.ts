import type { Attributes } from '@opentelemetry/api';
import type { Request } from 'express';
import type { Protocol } from './semconv.js';

/** Which payload records a call produces, as KServe's logger `mode`. */
export type LoggerMode = 'all' | 'request' | 'response';

/** OTLP over HTTP, JSON or protobuf encoded. */
export type OtlpProtocol = 'http/json' | 'http/protobuf';

export type OtlpCompression = 'gzip' | 'none';

/** What the response record of an embedding call holds: a summary of the vectors, or the answer whole. */
export type EmbeddingVectorsMode = 'summary' | 'full';

/** A resource detector of the own providers, named as OTEL_NODE_RESOURCE_DETECTORS names it. */
export type ResourceDetectorName = 'host' | 'os' | 'process' | 'serviceinstance';

/** What a matcher reads from a request that is a predict call. */
export interface PredictCall {
  /** `predict`, `explain`, `infer`, `embeddings`: the first word of the span name. */
  operation: string;
  /** The model's name; for OpenAI calls it may only be known from the body, and is read from `model` there. */
  model: string | undefined;
  /** The model version named in the path, if any. */
  version?: string | undefined;
  protocol: Protocol;
  /** The route pattern, for `http.route` (`/v2/models/{model}/infer`). */
  route: string;
}

/** Recognises predict calls; undefined leaves the request alone. */
export type PredictMatcher = (req: Request) => PredictCall | undefined;

/**
 * Where OTLP goes. Apart from the per-signal endpoints, a field applies to all
 * three signals. Each falls back to the signal's
 * `OTEL_EXPORTER_OTLP_{LOGS,TRACES,METRICS}_*` variable, then to the generic
 * `OTEL_EXPORTER_OTLP_*` one, as the specification orders them.
 */
export interface OtlpOptions {
  /**
   * Base URL; `/v1/logs`, `/v1/traces` and `/v1/metrics` are appended.
   * @default OTEL_EXPORTER_OTLP_ENDPOINT; with neither this nor a per-signal endpoint, nothing is sent over OTLP
   */
  endpoint?: string;
  /** Full URL for logs. @default `endpoint` + `/v1/logs`, else OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/logs` */
  logsEndpoint?: string;
  /** Full URL for traces. @default `endpoint` + `/v1/traces`, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces` */
  tracesEndpoint?: string;
  /** Full URL for metrics. @default `endpoint` + `/v1/metrics`, else OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/metrics` */
  metricsEndpoint?: string;
  /**
   * Headers sent with every export, merged key by key over the signal's
   * OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS, itself merged over OTEL_EXPORTER_OTLP_HEADERS.
   * @default OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS over OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`)
   */
  headers?: Record<string, string>;
  /** How long one export may take, at most 2147483647 (a Node.js timer's limit). @default OTEL_EXPORTER_OTLP_TIMEOUT, else 10000 */
  timeoutMillis?: number;
  /** @default OTEL_EXPORTER_OTLP_COMPRESSION, else 'gzip' */
  compression?: OtlpCompression;
  /** @default OTEL_EXPORTER_OTLP_PROTOCOL, else 'http/protobuf' */
  protocol?: OtlpProtocol;
  /**
   * PEM file of the CA that signs the collector's certificate, for an
   * `https://` endpoint; it is then the only CA trusted. Without it, the CAs
   * Node.js trusts by default. @default OTEL_EXPORTER_OTLP_CERTIFICATE
   */
  certificate?: string;
  /** PEM files of a client certificate and key, for mutual TLS. @default OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE / _CLIENT_KEY */
  clientCertificate?: string;
  clientKey?: string;
  /** How often metrics are exported, at most every 2147483647 ms (a Node.js timer's limit). @default OTEL_METRIC_EXPORT_INTERVAL, else 60000 */
  metricExportIntervalMillis?: number;
}

/** The bounded queue between the request path and each exporter. */
export interface QueueOptions {
  /** Records held at most; more are dropped and counted. @default OTEL_BLRP_MAX_QUEUE_SIZE, else 2048 */
  maxQueueSize?: number;
  /** Records per export. @default OTEL_BLRP_MAX_EXPORT_BATCH_SIZE, else 512 */
  maxExportBatchSize?: number;
  /** Delay before a partial batch is exported, at most 2147483647 (a Node.js timer's limit). @default OTEL_BLRP_SCHEDULE_DELAY, else 1000 */
  scheduledDelayMillis?: number;
  /** How long one batch export may take, at most 2147483647 (a Node.js timer's limit). @default OTEL_BLRP_EXPORT_TIMEOUT, else 30000 */
  exportTimeoutMillis?: number;
}

/** The embedded JSON-lines sink, in BentoML's `monitoring/<monitor>/{data,schema}/` layout. */
export interface FileSinkOptions {
  /** @default true when no OTLP endpoint takes the logs (none at all, or one for traces or metrics only), else false */
  enabled?: boolean;
  /** @default 'monitoring' */
  directory?: string;
  /** A file is rotated when it would grow past this. @default 10485760 (10 MiB) */
  maxFileBytes?: number;
  /** Files kept per monitor and kind; older ones are deleted. @default 10 */
  maxFiles?: number;
}

/**
 * A Prometheus scrape endpoint (`GET /metrics`) for the call metrics and the
 * telemetry's own health, served by the own providers beside any OTLP export.
 */
export interface PrometheusOptions {
  /** An integer from 0 to 65535; 0 takes any free port. @default OTEL_EXPORTER_PROMETHEUS_PORT, else 9464 */
  port?: number;
  /** The address to listen on. @default OTEL_EXPORTER_PROMETHEUS_HOST, else 'localhost' */
  host?: string;
}

/** Options of `inferenceTelemetry`; every one has a default. */
export interface InferenceTelemetryOptions {
  /**
   * `own` builds private providers and exporters from these options;
   * `global` uses the providers the application registered with the
   * OpenTelemetry API (its exporters, sampler and resource). With `global`,
   * `serviceName`, `resourceAttributes`, `resourceDetectors` (but for
   * `[]`), `otlp`, `queue`, `fileSink` (but for `enabled: false`) and
   * `prometheus` (but for `false`) throw a TypeError rather than be
   * ignored: they configure only the middleware's own providers.
   * @default 'own'
   */
  providers?: 'own' | 'global';
  /**
   * `service.name` of the resource, a non-empty string. As the
   * specification orders it, OTEL_SERVICE_NAME wins over a `service.name`
   * among the resource attributes.
   * @default OTEL_SERVICE_NAME, else `service.name` of `resourceAttributes`, else of OTEL_RESOURCE_ATTRIBUTES, else 'inferlens'
   */
  serviceName?: string;
  /**
   * Merged over OTEL_RESOURCE_ATTRIBUTES; a `service.name` here yields to
   * `serviceName` and OTEL_SERVICE_NAME, and a `service.instance.id` here
   * replaces the random UUID the own providers draw once per process.
   * @default {}
   */
  resourceAttributes?: Attributes;
  /**
   * What the own providers detect for their resource, under the resource
   * attributes, as NodeSDK's detectors of the same names do: `host`
   * (`host.name`, `host.arch`, `host.id`), `os` (`os.type`, `os.version`),
   * `process` (`process.pid`, `process.owner`, the executable, the command
   * and its arguments, the runtime) and `serviceinstance` (a random
   * `service.instance.id` drawn once per process). `[]` detects nothing.
   * @default OTEL_NODE_RESOURCE_DETECTORS, else all four
   */
  resourceDetectors?: readonly ResourceDetectorName[];
  otlp?: OtlpOptions;
  /** @default 'all' */
  mode?: LoggerMode;
  /**
   * Share of calls whose payload records are kept, decided from the trace
   * id so that a kept record's trace is sampled too. Failed and slow calls
   * are always kept. @default 1
   */
  payloadSampleRate?: number;
  /** Calls slower than this keep their payload records and span whatever the sample rate; only compared, so Infinity is allowed. @default 1000 */
  slowRequestThresholdMs?: number;
  /** Request headers recorded on the request record and span. `authorization`, `proxy-authorization`, `cookie` and `set-cookie` never are. @default [] */
  captureHeaders?: string[];
  /**
   * Payload fields replaced by `"[REDACTED]"`, as dot paths where `*`
   * matches any key or index: `parameters.api_key`, `inputs.*.data`.
   * @default []
   */
  redactPaths?: string[];
  /** Payload bytes kept per record; the rest is cut and the record marked truncated. @default 65536 */
  maxPayloadBytes?: number;
  /**
   * The response record of a successful embedding call (one the
   * application annotated with `embeddings`): `summary` holds the vectors'
   * count, dimension and norms, `full` the answer with every float. A
   * failed one logs its error answer.
   * @default 'summary'
   */
  embeddingVectors?: EmbeddingVectorsMode;
  queue?: QueueOptions;
  fileSink?: FileSinkOptions;
  /**
   * Serves the metrics for Prometheus to scrape: `true` or an object turns
   * the endpoint on, `false` off whatever the environment says.
   * @default on when OTEL_METRICS_EXPORTER lists `prometheus`, else off
   */
  prometheus?: PrometheusOptions | boolean;
  /** Replaces the default recognition of KServe V1, Open Inference V2 and OpenAI routes. */
  matcher?: PredictMatcher;
}

/**
 * Where the telemetry goes, once options and environment are resolved: for
 * a startup banner or log line that says so.
 */
export interface TelemetryDestinations {
  /** `global`: the application's providers decide; `own`: the URLs and folder below. */
  readonly providers: 'own' | 'global';
  /** The OTLP/HTTP URL of each signal exported over OTLP. */
  readonly otlp: { readonly logs?: string; readonly traces?: string; readonly metrics?: string };
  /** The JSON-lines sink's folder, when it is on. */
  readonly files?: string;
  /** Where the Prometheus endpoint listens, as configured (port 0: any free one), when it is on. */
  readonly prometheus?: { readonly host: string; readonly port: number };
}
