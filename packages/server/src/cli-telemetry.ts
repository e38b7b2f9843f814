import type {
  EmbeddingVectorsMode,
  InferenceTelemetryOptions,
  LoggerMode,
  OtlpCompression,
  TelemetryDestinations,
} from '@inferlens/express';
import {
  DEFAULT_EMBEDDING_VECTORS,
  DEFAULT_FILE_SINK_DIRECTORY,
  DEFAULT_MODE,
  DEFAULT_PAYLOAD_SAMPLE_RATE,
} from '@inferlens/express';
import type { Command } from 'commander';
import { Option } from 'commander';
import { fraction, integer, MAX_PORT, nonBlank } from './cli-values.js';

/** The telemetry flags of `inferlens serve`, as commander parses them. */
export interface TelemetryFlags {
  telemetry: 'on' | 'off';
  otlpEndpoint?: string;
  otlpCompression?: OtlpCompression;
  telemetryMode: LoggerMode;
  payloadSampleRate: number;
  captureHeaders?: string[];
  embeddingVectors: EmbeddingVectorsMode;
  fileSink: 'auto' | 'on' | 'off';
  monitoringDir: string;
  prometheusPort?: number;
}

function headerList(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * Adds the flags that configure the predict-call telemetry. The standard
 * `OTEL_*` variables (endpoints, compression, service name, resource
 * attributes, headers, protocol, timeouts, sampler) are read by the
 * middleware itself, as the specification has them: a signal's own variable
 * over the generic one, and a bad value reported and ignored. A flag given
 * is an option in code, and wins over them.
 */
export function addTelemetryOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--telemetry <on|off>', 'record spans, payload logs and metrics of predict calls')
        .choices(['on', 'off'])
        .env('INFERLENS_TELEMETRY')
        .default('on'),
    )
    .addOption(
      new Option(
        '--otlp-endpoint <url>',
        'OTLP/HTTP collector base URL (/v1/logs, /v1/traces, /v1/metrics are appended); else the OTEL_EXPORTER_OTLP_*ENDPOINT variables',
      ),
    )
    .addOption(
      new Option(
        '--otlp-compression <gzip|none>',
        'compression of OTLP exports; else the OTEL_EXPORTER_OTLP_*COMPRESSION variables, else gzip',
      ).choices(['gzip', 'none']),
    )
    .addOption(
      new Option('--telemetry-mode <all|request|response>', 'payload records per call, as KServe logger modes')
        .choices(['all', 'request', 'response'])
        .env('INFERLENS_TELEMETRY_MODE')
        .default(DEFAULT_MODE),
    )
    .addOption(
      new Option(
        '--payload-sample-rate <rate>',
        'share of calls whose payloads are logged (failed and slow ones always are)',
      )
        .env('INFERLENS_PAYLOAD_SAMPLE_RATE')
        .argParser(fraction)
        .default(DEFAULT_PAYLOAD_SAMPLE_RATE),
    )
    .addOption(
      new Option(
        '--capture-headers <names>',
        'comma-separated request headers to record (never credentials: authorization, proxy-authorization, cookies)',
      )
        .env('INFERLENS_CAPTURE_HEADERS')
        .argParser(headerList),
    )
    .addOption(
      new Option(
        '--embedding-vectors <summary|full>',
        "embedding calls' response records: the vectors' count, dimension and norms, or every float",
      )
        .choices(['summary', 'full'])
        .env('INFERLENS_EMBEDDING_VECTORS')
        .default(DEFAULT_EMBEDDING_VECTORS),
    )
    .addOption(
      new Option(
        '--file-sink <auto|on|off>',
        'JSON-lines files under --monitoring-dir (auto: on when no OTLP endpoint takes the logs)',
      )
        .choices(['auto', 'on', 'off'])
        .env('INFERLENS_FILE_SINK')
        .default('auto'),
    )
    .addOption(
      new Option('--monitoring-dir <dir>', 'folder of the JSON-lines files')
        .env('INFERLENS_MONITORING_DIR')
        .argParser(nonBlank)
        .default(DEFAULT_FILE_SINK_DIRECTORY),
    )
    .addOption(
      new Option(
        '--prometheus-port <port>',
        'serve the metrics for Prometheus to scrape (GET /metrics) on this port, at --host (0 picks a free one); else as OTEL_METRICS_EXPORTER=prometheus and OTEL_EXPORTER_PROMETHEUS_HOST and _PORT say',
      ).argParser(integer(0, MAX_PORT)),
    );
}

/**
 * The middleware options the flags give, or false when telemetry is off;
 * `host` is where `--prometheus-port` listens, the server's own address.
 */
export function telemetryOptions(flags: TelemetryFlags, host?: string): InferenceTelemetryOptions | false {
  if (flags.telemetry === 'off') return false;
  const options: InferenceTelemetryOptions = {
    mode: flags.telemetryMode,
    payloadSampleRate: flags.payloadSampleRate,
    embeddingVectors: flags.embeddingVectors,
    fileSink: { directory: flags.monitoringDir },
  };
  if (flags.fileSink !== 'auto')
    options.fileSink = Object.assign({}, options.fileSink, { enabled: flags.fileSink === 'on' });
  if (flags.otlpEndpoint !== undefined || flags.otlpCompression !== undefined) {
    options.otlp = {};
    if (flags.otlpEndpoint !== undefined) options.otlp.endpoint = flags.otlpEndpoint;
    if (flags.otlpCompression !== undefined) options.otlp.compression = flags.otlpCompression;
  }
  if (flags.captureHeaders !== undefined) options.captureHeaders = flags.captureHeaders;
  if (flags.prometheusPort !== undefined) options.prometheus = { port: flags.prometheusPort, host };
  return options;
}

/**
 * One line for the banner: where the telemetry goes, as the middleware
 * resolved it, and the Prometheus endpoint's URL once it listens.
 */
export function describeTelemetry(destinations: TelemetryDestinations | undefined, prometheusUrl?: string): string {
  if (destinations === undefined) return 'telemetry: off';
  if (destinations.providers === 'global') return "telemetry: through the application's OpenTelemetry providers";
  const { otlp, files } = destinations;
  const lines: string[] = [];
  const urls = [...new Set([otlp.logs, otlp.traces, otlp.metrics])].filter((url) => url !== undefined);
  if (urls.length > 0) lines.push(`OTLP/HTTP to ${urls.join(', ')}`);
  if (files !== undefined) lines.push(`JSON lines: tail -f ${files}/inference_payloads/data/*.log`);
  if (prometheusUrl !== undefined) lines.push(`Prometheus metrics: ${prometheusUrl}`);
  return `telemetry: ${lines.length > 0 ? lines.join('; ') : 'recorded, exported nowhere (no OTLP endpoint, files off)'}`;
}
