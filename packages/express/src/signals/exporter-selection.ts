import type { EnvReader } from '../env.js';

/** A signal the middleware's own providers can send over OTLP. */
export type OtlpSignal = 'logs' | 'traces' | 'metrics';

const OTLP_SIGNALS: readonly OtlpSignal[] = ['logs', 'traces', 'metrics'];

/** Exporters the specification lists beside `otlp` and `none` that the middleware does not have. */
const UNSUPPORTED_EXPORTERS: ReadonlySet<string> = new Set([
  'console',
  'logging',
  'zipkin',
  'prometheus',
  'otlp/stdout',
]);

/**
 * The signals that `OTEL_LOGS_EXPORTER`, `OTEL_TRACES_EXPORTER` and
 * `OTEL_METRICS_EXPORTER` turn off: those set to `none` alone. `otlp` (the
 * specification's default) changes nothing. Other values are reported and
 * ignored, as the specification asks of an enum value not implemented;
 * `none` beside another exporter is contradictory, and is reported and
 * ignored as the JavaScript SDK ignores it.
 */
export function signalsTurnedOff(env: EnvReader): ReadonlySet<OtlpSignal> {
  const off = new Set<OtlpSignal>();
  for (const signal of OTLP_SIGNALS) {
    const name = `OTEL_${signal.toUpperCase()}_EXPORTER`;
    const exporters = env.list(name);
    if (exporters === undefined) continue;
    if (exporters.length === 1 && exporters[0] === 'none') {
      off.add(signal);
      continue;
    }
    const unknown = exporters.filter((exporter) => exporter !== 'otlp');
    if (unknown.length === 0) continue;
    const kinds = unknown.map((exporter) =>
      UNSUPPORTED_EXPORTERS.has(exporter) ? `${exporter} (not supported)` : exporter,
    );
    env.ignored(
      name,
      `${kinds.join(', ')} ignored: the middleware exports ${signal} over OTLP, or not at all with ${name}=none alone`,
    );
  }
  return off;
}
