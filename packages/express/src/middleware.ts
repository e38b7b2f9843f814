import type { Request, RequestHandler, Response } from 'express';
import { callContextOf } from './call-context.js';
import { CallRecorder } from './call-recorder.js';
import type { ResolvedConfig } from './config.js';
import { resolveConfig } from './config.js';
import { processWarningReporter } from './reporter.js';
import { globalSignals } from './signals/global-signals.js';
import { ownSignals } from './signals/own-signals.js';
import { WrittenSchemas } from './written-schemas.js';
import type { InferenceTelemetryOptions, PredictCall, PredictMatcher, TelemetryDestinations } from './types.js';

/** The middleware, and how to flush and stop its telemetry. */
export interface InferenceTelemetry extends RequestHandler {
  /** How the middleware recognises a predict call: the `matcher` option, else the default one. */
  readonly matcher: PredictMatcher;
  /** Where the telemetry goes, as options and environment resolved. */
  readonly destinations: TelemetryDestinations;
  /**
   * Records `call` as the middleware does once its matcher has recognised
   * it, for a server that has matched the request already (with
   * {@link InferenceTelemetry.matcher}) and answers it without Express.
   * Never throws.
   */
  recordCall(req: Request, res: Response, call: PredictCall): void;
  /**
   * The Prometheus scrape URL (`http://localhost:9464/metrics`) once the
   * endpoint listens, the port chosen when 0 was asked, the loopback
   * address for a wildcard one (`0.0.0.0`, `::`); undefined when the
   * endpoint is off or could not listen (reported). Never rejects.
   */
  readonly prometheusUrl: Promise<string | undefined>;
  /** Exports everything queued. */
  forceFlush(): Promise<void>;
  /** Exports everything queued, then stops the providers the middleware built (not the application's). */
  shutdown(): Promise<void>;
}

/** Where a resolved configuration sends the telemetry. */
function destinationsOf(config: ResolvedConfig): TelemetryDestinations {
  if (config.providers === 'global') return { providers: 'global', otlp: {} };
  const { otlp, fileSink, prometheus } = config;
  return {
    providers: 'own',
    otlp: { logs: otlp?.logs?.url, traces: otlp?.traces?.url, metrics: otlp?.metrics?.url },
    files: fileSink?.directory,
    prometheus,
  };
}

/**
 * Turns every predict call into a span, request and response log records
 * and metrics. Options are read once, here; a bad option throws now rather
 * than on a request. Nothing on the request path waits for export, and a
 * fault in the telemetry is reported, never passed to the request.
 */
export function inferenceTelemetry(options: InferenceTelemetryOptions = {}): InferenceTelemetry {
  const reporter = processWarningReporter();
  const config = resolveConfig(options, reporter);
  // Shared by the rows, which ask it whether their schema is due, and the own providers' export, which forgets
  // the schemas it may have lost; the application's providers' export losses are theirs, unseen here.
  const schemas = new WrittenSchemas();
  const signals =
    config.providers === 'own' ? ownSignals(config, reporter, (monitor) => schemas.forget(monitor)) : globalSignals();
  const calls = new CallRecorder(config, signals, reporter, schemas);

  const recordCall = (req: Request, res: Response, call: PredictCall): void => {
    try {
      calls.start(req, res, call);
    } catch (error) {
      calls.reportFault(error);
    }
  };
  const handler: RequestHandler = (req, res, next) => {
    let call: PredictCall | undefined;
    try {
      call = config.matcher(req);
    } catch (error) {
      calls.reportFault(error);
    }
    if (call !== undefined) {
      // A body already read when no telemetry middleware has met the call yet: a parser runs first, and a call
      // whose body it refuses (malformed, too large) goes to the error handler without reaching here, unrecorded.
      if (req.readableEnded && callContextOf(req) === undefined)
        reporter.warnOnce(
          'INFERLENS_MOUNTED_AFTER_BODY_PARSER',
          'a predict call reached inferenceTelemetry() with its body already read: mount it before the body parsers, ' +
            'or the calls whose body fails to parse are not recorded',
        );
      recordCall(req, res, call);
    }
    next();
  };
  return Object.assign(handler, {
    matcher: config.matcher,
    destinations: destinationsOf(config),
    recordCall,
    prometheusUrl: signals.prometheusUrl,
    forceFlush: () => {
      calls.recordEnded();
      return signals.forceFlush();
    },
    shutdown: () => {
      calls.recordEnded();
      return signals.shutdown();
    },
  });
}
