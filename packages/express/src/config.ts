import type { Attributes } from '@opentelemetry/api';
import { isAttributeValue } from '@opentelemetry/core';
import type { Sampler, SpanLimits } from '@opentelemetry/sdk-trace';
import { isJsonObject } from '@inferlens/protocol';
import type { ExportQueueOptions } from './export/bounded-queue.js';
import { DEFAULT_EXPORT_QUEUE_OPTIONS } from './export/bounded-queue.js';
import { EnvReader, isHeader } from './env.js';
import { DEFAULT_MONITORING_DIRECTORY } from './file-sink/file-log-exporter.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES } from './file-sink/rotating-file.js';
import { defaultMatcher } from './matcher.js';
import type { TelemetryReporter } from './reporter.js';
import { exporterSelection } from './signals/exporter-selection.js';
import type { AttributeLimits } from './signals/attribute-limits.js';
import { logRecordLimitsFromEnv, spanLimitsFromEnv } from './signals/attribute-limits.js';
import { samplerFromEnv } from './signals/sampler.js';
import { DEFAULT_KNOWN_METHODS } from './http-method.js';
import type {
  EmbeddingVectorsMode,
  InferenceTelemetryOptions,
  LoggerMode,
  PredictMatcher,
  PrometheusOptions,
  QueueOptions,
  ResourceDetectorName,
} from './types.js';
import {
  DEFAULT_EMBEDDING_VECTORS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MODE,
  DEFAULT_PAYLOAD_SAMPLE_RATE,
  DEFAULT_PROMETHEUS_HOST,
  DEFAULT_PROMETHEUS_PORT,
  DEFAULT_SERVICE_NAME,
  DEFAULT_SLOW_REQUEST_THRESHOLD_MS,
} from './config/defaults.js';
import {
  checkBoolean,
  checkChoice,
  checkFunction,
  checkGroup,
  checkInteger,
  checkNumber,
  checkText,
  fail,
} from './config/option-checks.js';
import type { ResolvedOtlp } from './config/otlp.js';
import { resolveOtlp } from './config/otlp.js';
import { resolveResourceDetectors } from './config/resource-detectors.js';
import { checkMillis, TIMER_BOUNDS, timeoutVariable } from './config/timer-limit.js';

/** Headers that carry credentials: never captured, whatever the allow-list says. */
export const NEVER_CAPTURED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
]);

const MODES: readonly LoggerMode[] = ['all', 'request', 'response'];
const EMBEDDING_VECTORS_MODES: readonly EmbeddingVectorsMode[] = ['summary', 'full'];

/** Where the Prometheus endpoint listens. */
export interface ResolvedPrometheus {
  host: string;
  /** 0: any free port. */
  port: number;
}

const MAX_PORT = 65535;

interface ResolvedFileSink {
  directory: string;
  maxFileBytes: number;
  maxFiles: number;
}

/** Every option with its default applied, read once when the middleware is built. */
export interface ResolvedConfig {
  providers: 'own' | 'global';
  serviceName: string;
  resourceAttributes: Attributes;
  resourceDetectors: readonly ResourceDetectorName[];
  /** Undefined when no endpoint is configured: nothing goes over OTLP. */
  otlp: ResolvedOtlp | undefined;
  /** Undefined when the file sink is off. */
  fileSink: ResolvedFileSink | undefined;
  /** Undefined when no Prometheus endpoint is served. */
  prometheus: ResolvedPrometheus | undefined;
  mode: LoggerMode;
  payloadSampleRate: number;
  slowRequestThresholdMs: number;
  captureHeaders: readonly string[];
  redactPaths: readonly string[];
  maxPayloadBytes: number;
  embeddingVectors: EmbeddingVectorsMode;
  logQueue: ExportQueueOptions;
  spanQueue: ExportQueueOptions;
  matcher: PredictMatcher;
  /** The methods `http.request.method` names; any other is `_OTHER`. */
  knownMethods: ReadonlySet<string>;
  /** The trace sampler of own providers, from `OTEL_TRACES_SAMPLER`. */
  traceSampler: Sampler;
  /** The own providers' span attribute limits, from `OTEL_SPAN_*` and `OTEL_ATTRIBUTE_*`. */
  spanLimits: SpanLimits;
  /** The own providers' log record attribute limits, from `OTEL_LOGRECORD_ATTRIBUTE_*` and `OTEL_ATTRIBUTE_*`. */
  logRecordLimits: AttributeLimits;
}

/** Queue options: code, then the signal's variables (`OTEL_BLRP_*` for logs, `OTEL_BSP_*` for spans), then the defaults. */
function resolveQueue(queue: QueueOptions, env: EnvReader, prefix: 'OTEL_BLRP' | 'OTEL_BSP'): ExportQueueOptions {
  const resolved: ExportQueueOptions = {
    maxQueueSize:
      checkInteger('queue.maxQueueSize', queue.maxQueueSize, 1) ??
      env.number(`${prefix}_MAX_QUEUE_SIZE`, 1, { integer: true }) ??
      DEFAULT_EXPORT_QUEUE_OPTIONS.maxQueueSize,
    maxExportBatchSize:
      checkInteger('queue.maxExportBatchSize', queue.maxExportBatchSize, 1) ??
      env.number(`${prefix}_MAX_EXPORT_BATCH_SIZE`, 1, { integer: true }) ??
      DEFAULT_EXPORT_QUEUE_OPTIONS.maxExportBatchSize,
    scheduledDelayMillis:
      checkMillis('queue.scheduledDelayMillis', queue.scheduledDelayMillis, 0) ??
      env.number(`${prefix}_SCHEDULE_DELAY`, 0, TIMER_BOUNDS) ??
      DEFAULT_EXPORT_QUEUE_OPTIONS.scheduledDelayMillis,
    exportTimeoutMillis:
      checkMillis('queue.exportTimeoutMillis', queue.exportTimeoutMillis, 1) ??
      timeoutVariable(env, `${prefix}_EXPORT_TIMEOUT`) ??
      DEFAULT_EXPORT_QUEUE_OPTIONS.exportTimeoutMillis,
  };
  // Both given in code and at odds: a mistake to name now. Otherwise a batch simply never exceeds the queue.
  const bothInCode = queue.maxExportBatchSize !== undefined && queue.maxQueueSize !== undefined;
  if (bothInCode && resolved.maxExportBatchSize > resolved.maxQueueSize) {
    throw new TypeError(
      `inferenceTelemetry: queue.maxExportBatchSize (${resolved.maxExportBatchSize}) must not exceed queue.maxQueueSize (${resolved.maxQueueSize})`,
    );
  }
  resolved.maxExportBatchSize = Math.min(resolved.maxExportBatchSize, resolved.maxQueueSize);
  return resolved;
}

function resolveHeaders(headers: readonly string[] | undefined): string[] {
  if (headers === undefined) return [];
  if (!Array.isArray(headers) || !headers.every((header) => typeof header === 'string')) {
    fail('captureHeaders', 'an array of header names', headers);
  }
  // A name no request can carry would never match: a typo to name now.
  const malformed = headers.filter((header) => !isHeader(header, ''));
  if (malformed.length > 0) fail('captureHeaders', 'HTTP header names', malformed);
  const names = headers.map((header) => header.toLowerCase());
  const refused = names.filter((name) => NEVER_CAPTURED_HEADERS.has(name));
  if (refused.length > 0) fail('captureHeaders', `free of credential headers (${refused.join(', ')})`, headers);
  return names;
}

/** Dot paths, each naming at least one key (`*` counts): an empty one would name no field. */
function checkRedactPaths(paths: readonly string[] | undefined): readonly string[] | undefined {
  if (paths === undefined) return undefined;
  if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string')) {
    fail('redactPaths', 'an array of dot paths', paths);
  }
  const empty = paths.filter((path) => path.split('.').every((key) => key === ''));
  if (empty.length > 0) fail('redactPaths', 'dot paths that name a field', empty);
  return paths;
}

/**
 * OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, which the HTTP conventions name:
 * a full override of the default methods, compared case-sensitively.
 */
function knownMethods(env: EnvReader): ReadonlySet<string> {
  const listed = env.list('OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS', { caseSensitive: true });
  return listed === undefined ? DEFAULT_KNOWN_METHODS : new Set(listed);
}

/**
 * `service.name` in the specification's order: OTEL_SERVICE_NAME wins over a
 * `service.name` among the resource attributes, and the default applies only
 * when neither names one. The option in code comes first, as everywhere.
 * `attributes` are the merged ones, code over OTEL_RESOURCE_ATTRIBUTES.
 */
function resolveServiceName(options: InferenceTelemetryOptions, env: EnvReader, attributes: Attributes): string {
  const { serviceName } = options;
  // An empty name would name no service; in a variable it counts as unset, as every empty value does.
  if (serviceName !== undefined && (typeof serviceName !== 'string' || serviceName === '')) {
    fail('serviceName', 'a non-empty string', serviceName);
  }
  const fromAttributes = attributes['service.name'];
  if (fromAttributes !== undefined && typeof fromAttributes !== 'string') {
    fail("resourceAttributes['service.name']", 'a string', fromAttributes);
  }
  return serviceName ?? env.string('OTEL_SERVICE_NAME') ?? fromAttributes ?? DEFAULT_SERVICE_NAME;
}

/**
 * Resource attributes given in code: an object of attribute values. A string
 * such as OTEL_RESOURCE_ATTRIBUTES holds would otherwise be spread into one
 * attribute per character, and a nested object would be dropped by the SDK
 * without a word. The error names the keys refused.
 */
function checkResourceAttributes(attributes: unknown): Attributes | undefined {
  if (attributes === undefined) return undefined;
  if (!isJsonObject(attributes)) {
    fail('resourceAttributes', 'an object of attribute values', attributes);
  }
  const refused = Object.entries(attributes)
    .filter(([, value]) => !isAttributeValue(value))
    .map(([key]) => key);
  if (refused.length > 0) {
    fail('resourceAttributes', 'strings, numbers, booleans or arrays of one of them, as attribute values are', refused);
  }
  return attributes as Attributes;
}

/**
 * The Prometheus endpoint: `prometheus` in code (`true`, an object, or
 * `false` for none), else on when OTEL_METRICS_EXPORTER lists `prometheus`;
 * its port and host from code, else OTEL_EXPORTER_PROMETHEUS_PORT and
 * _HOST, else the specification's defaults.
 */
function resolvePrometheus(option: unknown, env: EnvReader, namedInEnv: boolean): ResolvedPrometheus | undefined {
  if (option !== undefined && typeof option !== 'boolean' && (typeof option !== 'object' || option === null)) {
    fail('prometheus', 'a boolean or an object of port and host', option);
  }
  if (option === false || (option === undefined && !namedInEnv)) return undefined;
  const { port, host } = typeof option === 'object' ? (option as PrometheusOptions) : {};
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= MAX_PORT)) {
    fail('prometheus.port', `an integer from 0 to ${MAX_PORT}`, port);
  }
  if (host !== undefined && (typeof host !== 'string' || host === ''))
    fail('prometheus.host', 'a non-empty string', host);
  return {
    host: host ?? env.string('OTEL_EXPORTER_PROMETHEUS_HOST') ?? DEFAULT_PROMETHEUS_HOST,
    port:
      port ??
      env.number('OTEL_EXPORTER_PROMETHEUS_PORT', 0, { max: MAX_PORT, integer: true }) ??
      DEFAULT_PROMETHEUS_PORT,
  };
}

/** Options that only the middleware's own providers read: `providers: 'global'` builds none. */
const OWN_PROVIDER_OPTIONS = [
  'serviceName',
  'resourceAttributes',
  'resourceDetectors',
  'otlp',
  'queue',
  'fileSink',
  'prometheus',
] as const;

/**
 * Whether an own-provider option sets anything. An object whose fields are
 * all undefined sets nothing, and `fileSink.enabled: false` only asks for
 * what global providers do anyway: no files. `prometheus` sets something
 * unless it is `false`: an object, even empty, turns the endpoint on.
 */
function setsSomething(name: (typeof OWN_PROVIDER_OPTIONS)[number], value: unknown): boolean {
  if (value === undefined) return false;
  if (name === 'prometheus') return value !== false;
  if (typeof value !== 'object' || value === null) return true;
  return Object.entries(value).some(
    ([key, field]) => field !== undefined && !(name === 'fileSink' && key === 'enabled' && field === false),
  );
}

/**
 * With `providers: 'global'`, refuses the options given in code that only
 * the middleware's own providers read: they would be silently ignored. The
 * environment is not checked: its OTEL_* variables may be there for the
 * application's own SDK.
 */
function checkGlobalProviders(options: InferenceTelemetryOptions): void {
  const given = OWN_PROVIDER_OPTIONS.filter((name) => setsSomething(name, options[name]));
  if (given.length === 0) return;
  const verb = given.length === 1 ? 'configures' : 'configure';
  throw new TypeError(
    `inferenceTelemetry: ${given.join(', ')} ${verb} the middleware's own providers, which providers: 'global' does not build; ` +
      "the application's providers (exporters, resource, batching) are configured in the application, for example with NodeSDK",
  );
}

/**
 * The one place options meet their defaults: option from code, else the
 * OpenTelemetry variable the specification names, else the default. A bad
 * option in code throws here, at construction; a bad variable is reported
 * and ignored.
 */
export function resolveConfig(
  options: InferenceTelemetryOptions,
  reporter: TelemetryReporter,
  environment: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const providers = checkChoice('providers', options.providers, ['own', 'global']) ?? 'own';
  if (providers === 'global') checkGlobalProviders(options);
  const env = new EnvReader(environment, reporter);
  // The variables of the own providers are read for them alone: with global ones they are the application's
  // SDK's, which may accept what the middleware would report as bad or unsupported (a remote sampler), and
  // nothing here would use them. The own-provider settings then keep their defaults, unused.
  const ownEnv = providers === 'own' ? env : new EnvReader({}, reporter);
  const selection = exporterSelection(ownEnv);
  const otlp = resolveOtlp(options, ownEnv, selection.otlpOff);
  const fileSink = checkGroup('fileSink', options.fileSink) ?? {};
  const queue = checkGroup('queue', options.queue) ?? {};
  const resourceAttributes = Object.assign(
    {},
    ownEnv.keyValues('OTEL_RESOURCE_ATTRIBUTES'),
    checkResourceAttributes(options.resourceAttributes),
  );
  return {
    providers,
    serviceName: resolveServiceName(options, ownEnv, resourceAttributes),
    resourceAttributes,
    resourceDetectors: resolveResourceDetectors(options.resourceDetectors, ownEnv),
    otlp,
    // By default the files take the records when OTLP does not: with no endpoint for logs (one for traces alone included).
    fileSink:
      (checkBoolean('fileSink.enabled', fileSink.enabled) ?? otlp?.logs === undefined)
        ? {
            directory: checkText('fileSink.directory', fileSink.directory) ?? DEFAULT_MONITORING_DIRECTORY,
            maxFileBytes: checkInteger('fileSink.maxFileBytes', fileSink.maxFileBytes, 1) ?? DEFAULT_MAX_FILE_BYTES,
            maxFiles: checkInteger('fileSink.maxFiles', fileSink.maxFiles, 1) ?? DEFAULT_MAX_FILES,
          }
        : undefined,
    prometheus: resolvePrometheus(options.prometheus, ownEnv, selection.prometheus),
    mode: checkChoice('mode', options.mode, MODES) ?? DEFAULT_MODE,
    payloadSampleRate: checkNumber('payloadSampleRate', options.payloadSampleRate, 0, 1) ?? DEFAULT_PAYLOAD_SAMPLE_RATE,
    slowRequestThresholdMs:
      checkNumber('slowRequestThresholdMs', options.slowRequestThresholdMs, 0) ?? DEFAULT_SLOW_REQUEST_THRESHOLD_MS,
    captureHeaders: resolveHeaders(options.captureHeaders),
    redactPaths: checkRedactPaths(options.redactPaths) ?? [],
    maxPayloadBytes: checkInteger('maxPayloadBytes', options.maxPayloadBytes, 0) ?? DEFAULT_MAX_PAYLOAD_BYTES,
    embeddingVectors:
      checkChoice('embeddingVectors', options.embeddingVectors, EMBEDDING_VECTORS_MODES) ?? DEFAULT_EMBEDDING_VECTORS,
    logQueue: resolveQueue(queue, ownEnv, 'OTEL_BLRP'),
    spanQueue: resolveQueue(queue, ownEnv, 'OTEL_BSP'),
    matcher: checkFunction('matcher', options.matcher) ?? defaultMatcher,
    // The middleware names methods itself, whichever providers record them.
    knownMethods: knownMethods(env),
    traceSampler: samplerFromEnv(ownEnv),
    spanLimits: spanLimitsFromEnv(ownEnv),
    logRecordLimits: logRecordLimitsFromEnv(ownEnv),
  };
}
