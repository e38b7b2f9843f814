import type { RequestHandler } from 'express';
import { register } from 'node:module';

/** The ways the Express app is instrumented in the middleware scenario. */
export const MIDDLEWARE_VARIANTS = ['bare', 'floor', 'inferlens', 'otel', 'pino'] as const;
export type MiddlewareVariant = (typeof MIDDLEWARE_VARIANTS)[number];

export interface VariantOptions {
  /** OTLP/HTTP base URL, for `inferlens` and `otel`. */
  readonly otlpEndpoint?: string;
  readonly compression: 'gzip' | 'none';
  /** Where `pino` writes its request log. */
  readonly logFile?: string;
}

/** What a variant adds to the app: a middleware mounted first (if any), and how to flush it. */
export interface InstalledVariant {
  readonly middleware?: RequestHandler;
  shutdown(): Promise<void>;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`this variant needs ${what}`);
  return value;
}

/**
 * Sets a variant up. It must run before Express is first imported: the
 * OpenTelemetry instrumentations patch Express and node:http as they are
 * loaded, so every package is imported here on demand.
 */
export async function installVariant(variant: MiddlewareVariant, options: VariantOptions): Promise<InstalledVariant> {
  switch (variant) {
    case 'bare':
      return { shutdown: () => Promise.resolve() };
    case 'floor': {
      const { floorMiddleware } = await import('./floor-middleware.js');
      return { middleware: floorMiddleware(), shutdown: () => Promise.resolve() };
    }
    case 'inferlens': {
      const { inferenceTelemetry } = await import('@inferlens/express');
      const telemetry = inferenceTelemetry({
        serviceName: 'inferlens-bench',
        mode: 'all',
        payloadSampleRate: 1,
        otlp: { endpoint: required(options.otlpEndpoint, 'an OTLP endpoint'), compression: options.compression },
      });
      return { middleware: telemetry, shutdown: () => telemetry.shutdown() };
    }
    case 'otel':
      return installAutoInstrumentation(required(options.otlpEndpoint, 'an OTLP endpoint'), options.compression);
    case 'pino': {
      const { pino } = await import('pino');
      const { pinoHttp } = await import('pino-http');
      // Asynchronous writes: pino's own recommendation for throughput.
      const destination = pino.destination({ dest: required(options.logFile, 'a log file'), sync: false });
      const middleware = pinoHttp({ logger: pino(destination) });
      return {
        middleware: middleware as unknown as RequestHandler,
        shutdown: () => Promise.resolve(destination.flushSync()),
      };
    }
  }
}

/**
 * OpenTelemetry's HTTP and Express instrumentations with NodeSDK, exporting
 * spans over OTLP/HTTP (protobuf, like inferlens) and nothing else. The
 * import hook lets the instrumentations patch ES module imports.
 */
async function installAutoInstrumentation(endpoint: string, compression: 'gzip' | 'none'): Promise<InstalledVariant> {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } = await import('@opentelemetry/instrumentation-express');
  const { CompressionAlgorithm } = await import('@opentelemetry/otlp-exporter-base');
  const sdk = new NodeSDK({
    serviceName: 'otel-bench',
    traceExporter: new OTLPTraceExporter({
      url: `${endpoint}/v1/traces`,
      compression: compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    }),
    instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
    // Spans only: the other signals have no exporter here.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
