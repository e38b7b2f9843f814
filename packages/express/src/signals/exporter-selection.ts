import type { EnvReader } from '../env.js';

/** A signal the middleware's own providers can send over OTLP. */
export type OtlpSignal = 'logs' | 'traces' | 'metrics';

/** The signals the middleware sends over OTLP. */
export const OTLP_SIGNALS: readonly OtlpSignal[] = ['logs', 'traces', 'metrics'];

/** Exporters the specification lists beside `otlp` and `none` that the middleware does not have. */
const UNSUPPORTED_EXPORTERS: ReadonlySet<string> = new Set([
  'console',
  'logging',
  'zipkin',
  'prometheus',
  'otlp/stdout',
]);

/** What `OTEL_LOGS_EXPORTER`, `OTEL_TRACES_EXPORTER` and `OTEL_METRICS_EXPORTER` ask of the own providers. */
export interface ExporterSelection {
  /** The signals not to send over OTLP. */
  readonly otlpOff: ReadonlySet<OtlpSignal>;
  /** Whether `OTEL_METRICS_EXPORTER` lists `prometheus`. */
  readonly prometheus: boolean;
}

/**
 * The exporters the variables select. `none` alone turns a signal's OTLP
 * export off, and so does a metrics list that names `prometheus` but not
 * `otlp` (the specification's default, which changes nothing). Other
 * values are reported and ignored, as the specification asks of an enum
 * value not implemented; `none` beside another exporter is contradictory,
 * and is reported and ignored as the JavaScript SDK ignores it.
 */
export function exporterSelection(env: EnvReader): ExporterSelection {
  const otlpOff = new Set<OtlpSignal>();
  let prometheus = false;
  for (const signal of OTLP_SIGNALS) {
    const name = `OTEL_${signal.toUpperCase()}_EXPORTER`;
    const exporters = env.list(name);
    if (exporters === undefined) continue;
    if (exporters.length === 1 && exporters[0] === 'none') {
      otlpOff.add(signal);
      continue;
    }
    const scraped = signal === 'metrics' && exporters.includes('prometheus');
    if (scraped) {
      prometheus = true;
      if (!exporters.includes('otlp')) otlpOff.add(signal);
    }
    const unknown = exporters.filter((exporter) => exporter !== 'otlp' && !(scraped && exporter === 'prometheus'));
    if (unknown.length === 0) continue;
    const kinds = unknown.map((exporter) =>
      UNSUPPORTED_EXPORTERS.has(exporter) ? `${exporter} (not supported)` : exporter,
    );
    const supported = signal === 'metrics' ? 'over OTLP and to Prometheus (prometheus),' : 'over OTLP,';
    env.ignored(
      name,
      `${kinds.join(', ')} ignored: the middleware exports ${signal} ${supported} or not at all with ${name}=none alone`,
    );
  }
  return { otlpOff, prometheus };
}
