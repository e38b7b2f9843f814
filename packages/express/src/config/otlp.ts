import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import type { EnvReader, HeaderReaders } from '../env.js';
import type { OtlpSignal } from '../signals/exporter-selection.js';
import { OTLP_SIGNALS } from '../signals/exporter-selection.js';
import type { InferenceTelemetryOptions, OtlpCompression, OtlpOptions, OtlpProtocol } from '../types.js';
import {
  DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS,
  DEFAULT_METRICS_TEMPORALITY,
  DEFAULT_OTLP_COMPRESSION,
  DEFAULT_OTLP_PROTOCOL,
  DEFAULT_OTLP_TIMEOUT_MILLIS,
} from './defaults.js';
import { checkChoice, checkFile, checkGroup, checkHeaders, checkUrl } from './option-checks.js';
import { checkMillis, TIMER_BOUNDS, timeoutVariable } from './timer-limit.js';

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

/**
 * Headers merged key by key rather than whole, as the JavaScript SDK's
 * exporters merge them: a signal's headers override the generic ones of the
 * same name, code overrides both. Names are compared as HTTP compares them,
 * whatever their case, and a header overriding another sets the value of
 * every spelling of its name seen so far rather than adding one: the SDK's
 * exporters merge the variables' headers again beneath these, key by key,
 * and Node.js sends the last spelling of a name it is given.
 */
export function mergeHeaders(...sources: (Readonly<Record<string, string>> | undefined)[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    for (const [name, value] of Object.entries(source ?? {})) {
      const lowerName = name.toLowerCase();
      for (const seen of Object.keys(merged)) if (seen.toLowerCase() === lowerName) merged[seen] = value;
      merged[name] = value;
    }
  }
  return merged;
}

/** Export settings the `OTEL_EXPORTER_OTLP_*` variables can give, all of them or one signal's. */
type OtlpVariables = Partial<Omit<ResolvedOtlpExport, 'url'>>;

/**
 * The variables named `prefix` + `HEADERS`, `TIMEOUT` and so on; undefined
 * where unset or bad. `headerReaders` are the exporters that read the
 * headers variable, each with the header names that replace its entries.
 */
function otlpVariables(env: EnvReader, prefix: string, headerReaders: HeaderReaders): OtlpVariables {
  return {
    headers: env.headers(`${prefix}HEADERS`, headerReaders),
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
    headers: mergeHeaders(generic.headers, signal.headers, otlp.headers),
    timeoutMillis: otlp.timeoutMillis ?? signal.timeoutMillis ?? generic.timeoutMillis ?? DEFAULT_OTLP_TIMEOUT_MILLIS,
    compression: otlp.compression ?? signal.compression ?? generic.compression ?? DEFAULT_OTLP_COMPRESSION,
    protocol: otlp.protocol ?? signal.protocol ?? generic.protocol ?? DEFAULT_OTLP_PROTOCOL,
    certificate: otlp.certificate ?? signal.certificate ?? generic.certificate,
    clientCertificate: otlp.clientCertificate ?? signal.clientCertificate ?? generic.clientCertificate,
    clientKey: otlp.clientKey ?? signal.clientKey ?? generic.clientKey,
  };
}

/** The start of a signal's own variables' names: `OTEL_EXPORTER_OTLP_TRACES_`. */
function signalPrefix(signal: OtlpSignal): string {
  return `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_`;
}

/** The header names the SDK's exporter of `signal` reads from the signal's own headers variable, as it reads them. */
function signalHeaderNames(env: EnvReader, signal: OtlpSignal): string[] {
  return Object.keys(parseKeyPairsIntoRecord(env.string(`${signalPrefix(signal)}HEADERS`)));
}

/**
 * Each signal's OTLP settings. A signal that `off` names (its
 * `OTEL_<SIGNAL>_EXPORTER` is `none`) gets no URL from `otlp.endpoint` or the
 * variables; only its own endpoint given in code, which names it, still
 * sends it.
 */
export function resolveOtlp(
  options: InferenceTelemetryOptions,
  env: EnvReader,
  off: ReadonlySet<OtlpSignal>,
): ResolvedOtlp | undefined {
  const otlp = checkOtlpOptions(checkGroup('otlp', options.otlp) ?? {});
  // Code first, as for every setting: `endpoint` in code is every signal's, so it wins over a signal's variable.
  const envBase = otlp.endpoint === undefined ? env.url('OTEL_EXPORTER_OTLP_ENDPOINT') : undefined;
  const url = (signal: OtlpSignal, explicit: string | undefined): string | undefined =>
    explicit ??
    (off.has(signal)
      ? undefined
      : (signalUrl(otlp.endpoint, signal) ?? env.url(`${signalPrefix(signal)}ENDPOINT`) ?? signalUrl(envBase, signal)));
  const urls = {
    logs: url('logs', otlp.logsEndpoint),
    traces: url('traces', otlp.tracesEndpoint),
    metrics: url('metrics', otlp.metricsEndpoint),
  };
  if (Object.values(urls).every((each) => each === undefined)) return undefined;
  const codeHeaders = Object.keys(otlp.headers ?? {});
  const exported = OTLP_SIGNALS.filter((signal) => urls[signal] !== undefined);
  // Read once, here, so that a bad generic variable is reported once, not once per signal. Each exporter lays
  // its signal's variable over it, key by key, and the headers given in code over both.
  const generic = otlpVariables(
    env,
    'OTEL_EXPORTER_OTLP_',
    new Map(exported.map((signal) => [signal, new Set([...codeHeaders, ...signalHeaderNames(env, signal)])])),
  );
  const resolve = (signal: OtlpSignal): ResolvedOtlpExport | undefined => {
    const target = urls[signal];
    if (target === undefined) return undefined;
    const variables = otlpVariables(env, signalPrefix(signal), new Map([[signal, new Set(codeHeaders)]]));
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
