import type { Attributes } from '@opentelemetry/api';
import { isAttributeValue } from '@opentelemetry/core';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { ExportQueueOptions } from './export/bounded-queue.js';
import { DEFAULT_EXPORT_QUEUE_OPTIONS } from './export/bounded-queue.js';
import type { NumberBounds } from './env.js';
import { EnvReader, isHeader, isHttpUrl, isReadableFile } from './env.js';
import { DEFAULT_MONITORING_DIRECTORY } from './file-sink/file-log-exporter.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES } from './file-sink/rotating-file.js';
import { defaultMatcher } from './matcher.js';
import type { TelemetryReporter } from './reporter.js';
import type { OtlpSignal } from './signals/exporter-selection.js';
import { signalsTurnedOff } from './signals/exporter-selection.js';
import { samplerFromEnv } from './signals/sampler.js';
import { DEFAULT_KNOWN_METHODS } from './http-method.js';
import type {
  EmbeddingVectorsMode,
  InferenceTelemetryOptions,
  LoggerMode,
  OtlpCompression,
  OtlpOptions,
  OtlpProtocol,
  PredictMatcher,
  QueueOptions,
} from './types.js';

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
/**
 * The longest delay a Node.js timer waits (2^31 - 1 ms, about 24.8 days).
 * `setTimeout` and `setInterval` turn anything longer, Infinity included,
 * into 1 ms, which would make "no time limit" fail every export at once and
 * a long metric interval export every millisecond; every option and variable
 * that becomes a timer is refused above it.
 */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1;
export {
  DEFAULT_MONITORING_DIRECTORY as DEFAULT_FILE_SINK_DIRECTORY,
  DEFAULT_MAX_FILE_BYTES as DEFAULT_FILE_SINK_MAX_FILE_BYTES,
  DEFAULT_MAX_FILES as DEFAULT_FILE_SINK_MAX_FILES,
};

/** Headers that carry credentials: never captured, whatever the allow-list says. */
export const NEVER_CAPTURED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'proxy-authorization',
]);

const MODES: readonly LoggerMode[] = ['all', 'request', 'response'];
const EMBEDDING_VECTORS_MODES: readonly EmbeddingVectorsMode[] = ['summary', 'full'];
const COMPRESSIONS: readonly OtlpCompression[] = ['gzip', 'none'];
const PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'http/protobuf'];
/** What OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE may say: the temporality the metric exporter asks for. */
export type MetricsTemporality = 'cumulative' | 'delta' | 'lowmemory';
const TEMPORALITIES: readonly MetricsTemporality[] = ['cumulative', 'delta', 'lowmemory'];
/**
 * OTLP/gRPC, the specification's third protocol, is not implemented: the
 * exporters speak OTLP/HTTP only. Said plainly, as the variable is often set
 * with a gRPC port (4317) that refuses what is sent instead.
 */
const UNSUPPORTED_PROTOCOLS = {
  grpc: `OTLP/gRPC is not implemented, so OTLP/HTTP (${DEFAULT_OTLP_PROTOCOL} unless another variable says http/json) goes to the same endpoint, which a gRPC receiver (port 4317) refuses: point it at the collector's OTLP/HTTP receiver (port 4318)`,
};
/**
 * Variables that become a timer, as {@link checkMillis} checks options:
 * whole milliseconds, as the specification's Duration and Timeout types are.
 */
const TIMER_BOUNDS: NumberBounds = { max: MAX_TIMER_MILLIS, integer: true };

/**
 * A time limit variable (the specification's Timeout type): 0 means no
 * limit, which a Node.js timer holds as its longest wait, the substitute the
 * specification allows. Options in code say so with {@link MAX_TIMER_MILLIS}.
 */
function timeoutVariable(env: EnvReader, name: string): number | undefined {
  const value = env.number(name, 0, TIMER_BOUNDS);
  return value === 0 ? MAX_TIMER_MILLIS : value;
}

/** How one signal is exported over OTLP: each setting resolved for that signal. */
export interface ResolvedOtlpExport {
  url: string;
  headers: Record<string, string>;
  timeoutMillis: number;
  compression: OtlpCompression;
  protocol: OtlpProtocol;
  certificate: string | undefined;
  clientCertificate: string | undefined;
  clientKey: string | undefined;
}

/** OTLP settings; a signal with no URL (undefined here) is not exported over OTLP. */
export interface ResolvedOtlp {
  logs: ResolvedOtlpExport | undefined;
  traces: ResolvedOtlpExport | undefined;
  metrics: ResolvedOtlpExport | undefined;
  metricExportIntervalMillis: number;
  /**
   * How long the metric reader waits for one export (OTEL_METRIC_EXPORT_TIMEOUT), else the metric exporter's
   * own timeout; at most the interval.
   */
  metricExportTimeoutMillis: number;
  metricsTemporality: MetricsTemporality;
}

export interface ResolvedFileSink {
  directory: string;
  maxFileBytes: number;
  maxFiles: number;
}

/** Every option with its default applied, read once when the middleware is built. */
export interface ResolvedConfig {
  providers: 'own' | 'global';
  serviceName: string;
  resourceAttributes: Attributes;
  /** Undefined when no endpoint is configured: nothing goes over OTLP. */
  otlp: ResolvedOtlp | undefined;
  /** Undefined when the file sink is off. */
  fileSink: ResolvedFileSink | undefined;
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
}

function fail(option: string, expected: string, value: unknown): never {
  // JSON has no Infinity or NaN: it would print them as null.
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new TypeError(`inferenceTelemetry: ${option} must be ${expected}, got ${shown}`);
}

function checkChoice<T extends string>(option: string, value: T | undefined, choices: readonly T[]): T | undefined {
  if (value !== undefined && !choices.includes(value)) fail(option, `one of ${choices.join(', ')}`, value);
  return value;
}

function checkNumber(option: string, value: number | undefined, min: number, max = Infinity): number | undefined {
  if (value !== undefined && !(typeof value === 'number' && value >= min && value <= max)) {
    fail(option, `a number from ${min}${max === Infinity ? '' : ` to ${max}`}`, value);
  }
  return value;
}

/** A delay or time limit that becomes a timer: from `min` to {@link MAX_TIMER_MILLIS}. */
function checkMillis(option: string, value: number | undefined, min: number): number | undefined {
  return checkNumber(option, value, min, MAX_TIMER_MILLIS);
}

function checkInteger(option: string, value: number | undefined, min: number): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && value >= min))
    fail(option, `an integer of at least ${min}`, value);
  return value;
}

function checkUrl(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && !isHttpUrl(value)) fail(option, 'an http(s) URL', value);
  return value;
}

/** A PEM file, read when the exporters are built: a missing one throws here, naming the option. */
function checkFile(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && !isReadableFile(value)) fail(option, 'the path of a readable file', value);
  return value;
}

/**
 * `endpoint` + `/v1/<signal>`, without doubling the slash. Appended to the
 * path, not to the string: a query string (`?tenant=ml`) stays a query
 * string rather than swallowing the signal's path.
 */
function signalUrl(base: string | undefined, signal: string): string | undefined {
  if (base === undefined) return undefined;
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url.href;
}

/**
 * Headers every export sends: names and values Node.js accepts, so that a
 * typo throws now instead of failing every export. The error names the
 * headers, never their values, which carry credentials.
 */
function checkHeaders(option: string, headers: Readonly<Record<string, unknown>> | undefined): void {
  if (headers === undefined) return;
  const refused = Object.entries(headers)
    .filter(([name, value]) => typeof value !== 'string' || !isHeader(name, value))
    .map(([name]) => name);
  if (refused.length > 0) fail(option, 'HTTP header names with string values free of line breaks', refused);
}

/** Checks the OTLP options given in code, whether or not a signal ends up with an endpoint. */
function checkOtlpOptions(otlp: OtlpOptions): OtlpOptions {
  checkUrl('otlp.endpoint', otlp.endpoint);
  checkUrl('otlp.logsEndpoint', otlp.logsEndpoint);
  checkUrl('otlp.tracesEndpoint', otlp.tracesEndpoint);
  checkUrl('otlp.metricsEndpoint', otlp.metricsEndpoint);
  checkHeaders('otlp.headers', otlp.headers);
  checkFile('otlp.certificate', otlp.certificate);
  checkFile('otlp.clientCertificate', otlp.clientCertificate);
  checkFile('otlp.clientKey', otlp.clientKey);
  checkMillis('otlp.timeoutMillis', otlp.timeoutMillis, 1);
  checkChoice('otlp.compression', otlp.compression, COMPRESSIONS);
  checkChoice('otlp.protocol', otlp.protocol, PROTOCOLS);
  checkMillis('otlp.metricExportIntervalMillis', otlp.metricExportIntervalMillis, 1);
  return otlp;
}

/** Export settings the `OTEL_EXPORTER_OTLP_*` variables can give, all of them or one signal's. */
type OtlpVariables = Partial<Omit<ResolvedOtlpExport, 'url'>>;

/** The variables named `prefix` + `HEADERS`, `TIMEOUT` and so on; undefined where unset or bad. */
function otlpVariables(env: EnvReader, prefix: string): OtlpVariables {
  return {
    headers: env.headers(`${prefix}HEADERS`),
    timeoutMillis: timeoutVariable(env, `${prefix}TIMEOUT`),
    compression: env.choice(`${prefix}COMPRESSION`, COMPRESSIONS),
    protocol: env.choice(`${prefix}PROTOCOL`, PROTOCOLS, UNSUPPORTED_PROTOCOLS),
    certificate: env.file(`${prefix}CERTIFICATE`),
    clientCertificate: env.file(`${prefix}CLIENT_CERTIFICATE`),
    clientKey: env.file(`${prefix}CLIENT_KEY`),
  };
}

/**
 * One signal's export settings: the option in code, else the signal's
 * variable (`OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`), else the generic one
 * (`OTEL_EXPORTER_OTLP_TIMEOUT`), else the default. The specification says
 * "Each configuration option MUST be overridable by a signal specific
 * option"; a bad signal variable is reported and the generic one applies.
 */
function resolveOtlpExport(
  url: string,
  otlp: OtlpOptions,
  signal: OtlpVariables,
  generic: OtlpVariables,
): ResolvedOtlpExport {
  return {
    url,
    // Key by key rather than whole, as the JavaScript SDK's exporters merge them: a
    // signal's headers override the generic ones of the same name, code overrides both.
    headers: { ...generic.headers, ...signal.headers, ...otlp.headers },
    timeoutMillis: otlp.timeoutMillis ?? signal.timeoutMillis ?? generic.timeoutMillis ?? DEFAULT_OTLP_TIMEOUT_MILLIS,
    compression: otlp.compression ?? signal.compression ?? generic.compression ?? DEFAULT_OTLP_COMPRESSION,
    protocol: otlp.protocol ?? signal.protocol ?? generic.protocol ?? DEFAULT_OTLP_PROTOCOL,
    certificate: otlp.certificate ?? signal.certificate ?? generic.certificate,
    clientCertificate: otlp.clientCertificate ?? signal.clientCertificate ?? generic.clientCertificate,
    clientKey: otlp.clientKey ?? signal.clientKey ?? generic.clientKey,
  };
}

/**
 * Each signal's OTLP settings. A signal that `off` names (its
 * `OTEL_<SIGNAL>_EXPORTER` is `none`) gets no URL from `otlp.endpoint` or the
 * variables; only its own endpoint given in code, which names it, still
 * sends it.
 */
function resolveOtlp(
  options: InferenceTelemetryOptions,
  env: EnvReader,
  off: ReadonlySet<OtlpSignal>,
): ResolvedOtlp | undefined {
  const otlp = checkOtlpOptions(options.otlp ?? {});
  // Code first, as for every setting: `endpoint` in code is every signal's, so it wins over a signal's variable.
  const envBase = otlp.endpoint === undefined ? env.url('OTEL_EXPORTER_OTLP_ENDPOINT') : undefined;
  const url = (signal: OtlpSignal, explicit: string | undefined): string | undefined =>
    explicit ??
    (off.has(signal)
      ? undefined
      : (signalUrl(otlp.endpoint, signal) ??
        env.url(`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`) ??
        signalUrl(envBase, signal)));
  const urls = {
    logs: url('logs', otlp.logsEndpoint),
    traces: url('traces', otlp.tracesEndpoint),
    metrics: url('metrics', otlp.metricsEndpoint),
  };
  if (Object.values(urls).every((each) => each === undefined)) return undefined;
  // Read once, here, so that a bad generic variable is reported once, not once per signal.
  const generic = otlpVariables(env, 'OTEL_EXPORTER_OTLP_');
  const resolve = (signal: OtlpSignal): ResolvedOtlpExport | undefined => {
    const target = urls[signal];
    if (target === undefined) return undefined;
    const variables = otlpVariables(env, `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_`);
    return resolveOtlpExport(target, otlp, variables, generic);
  };
  const metrics = resolve('metrics');
  const metricExportIntervalMillis =
    otlp.metricExportIntervalMillis ??
    env.number('OTEL_METRIC_EXPORT_INTERVAL', 1, TIMER_BOUNDS) ??
    DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS;
  return {
    logs: resolve('logs'),
    traces: resolve('traces'),
    metrics,
    metricExportIntervalMillis,
    // The SDK's metric reader refuses a time limit past its interval: one export then ends before the next begins.
    metricExportTimeoutMillis: Math.min(
      timeoutVariable(env, 'OTEL_METRIC_EXPORT_TIMEOUT') ?? metrics?.timeoutMillis ?? DEFAULT_OTLP_TIMEOUT_MILLIS,
      metricExportIntervalMillis,
    ),
    // Read here rather than left to the SDK's exporter, which reports a value it does not know through `diag`
    // alone (silent by default) and does not trim one.
    metricsTemporality:
      env.choice('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', TEMPORALITIES) ?? DEFAULT_METRICS_TEMPORALITY,
  };
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
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
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

/** Options that only the middleware's own providers read: `providers: 'global'` builds none. */
const OWN_PROVIDER_OPTIONS = ['serviceName', 'resourceAttributes', 'otlp', 'queue', 'fileSink'] as const;

/**
 * Whether an own-provider option sets anything. An object whose fields are
 * all undefined sets nothing, and `fileSink.enabled: false` only asks for
 * what global providers do anyway: no files.
 */
function setsSomething(name: (typeof OWN_PROVIDER_OPTIONS)[number], value: unknown): boolean {
  if (value === undefined) return false;
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
  const otlp = resolveOtlp(options, ownEnv, signalsTurnedOff(ownEnv));
  const fileSink = options.fileSink ?? {};
  const queue = options.queue ?? {};
  const resourceAttributes = {
    ...ownEnv.keyValues('OTEL_RESOURCE_ATTRIBUTES'),
    ...checkResourceAttributes(options.resourceAttributes),
  };
  return {
    providers,
    serviceName: resolveServiceName(options, ownEnv, resourceAttributes),
    resourceAttributes,
    otlp,
    // By default the files take the records when OTLP does not: with no endpoint for logs (one for traces alone included).
    fileSink:
      (fileSink.enabled ?? otlp?.logs === undefined)
        ? {
            directory: fileSink.directory ?? DEFAULT_MONITORING_DIRECTORY,
            maxFileBytes: checkInteger('fileSink.maxFileBytes', fileSink.maxFileBytes, 1) ?? DEFAULT_MAX_FILE_BYTES,
            maxFiles: checkInteger('fileSink.maxFiles', fileSink.maxFiles, 1) ?? DEFAULT_MAX_FILES,
          }
        : undefined,
    mode: checkChoice('mode', options.mode, MODES) ?? DEFAULT_MODE,
    payloadSampleRate: checkNumber('payloadSampleRate', options.payloadSampleRate, 0, 1) ?? DEFAULT_PAYLOAD_SAMPLE_RATE,
    slowRequestThresholdMs:
      checkNumber('slowRequestThresholdMs', options.slowRequestThresholdMs, 0) ?? DEFAULT_SLOW_REQUEST_THRESHOLD_MS,
    captureHeaders: resolveHeaders(options.captureHeaders),
    redactPaths: options.redactPaths ?? [],
    maxPayloadBytes: checkInteger('maxPayloadBytes', options.maxPayloadBytes, 0) ?? DEFAULT_MAX_PAYLOAD_BYTES,
    embeddingVectors:
      checkChoice('embeddingVectors', options.embeddingVectors, EMBEDDING_VECTORS_MODES) ?? DEFAULT_EMBEDDING_VECTORS,
    logQueue: resolveQueue(queue, ownEnv, 'OTEL_BLRP'),
    spanQueue: resolveQueue(queue, ownEnv, 'OTEL_BSP'),
    matcher: options.matcher ?? defaultMatcher,
    // The middleware names methods itself, whichever providers record them.
    knownMethods: knownMethods(env),
    traceSampler: samplerFromEnv(ownEnv),
  };
}
