import { randomUUID } from 'node:crypto';
import type { Attributes, Context, Exception, HrTime, Span } from '@opentelemetry/api';
import {
  defaultTextMapGetter,
  INVALID_TRACEID,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import {
  addHrTimes,
  CompositePropagator,
  hrTimeToSeconds,
  millisToHrTime,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { B3Propagator } from '@opentelemetry/propagator-b3';
import type { CallAnnotations } from './annotations.js';
import { boundedAttributeValue, boundedErrorText } from './attribute-value.js';
import { batchSizeOf } from './batch-size.js';
import type { CallContext } from './call-context.js';
import { callContextOf, openCallContext } from './call-context.js';
import { embeddingAttributes } from './embeddings.js';
import { setMethodAttributes } from './http-method.js';
import { callSpanName } from './span-name.js';
import type { ResolvedConfig } from './config.js';
import { resolveConfig } from './config.js';
import type { CallMetrics } from './metrics/call-metrics.js';
import { clientScheme } from './matcher.js';
import { clientPath } from './request-path.js';
import { REDACTED, parseRedactPaths, redactPayload, redactPayloadStart } from './payload/redact.js';
import { INFERENCE_HEADER_CONTENT_LENGTH } from '@inferlens/protocol';
import { jsonPartLength } from './payload/binary-extension.js';
import { requestBodySize, requestPayload } from './payload/request-body.js';
import type { CapturedResponse } from './payload/response-capture.js';
import { captureResponse, capturedText, reportServerResponseWrites } from './payload/response-capture.js';
import { embeddingSummary } from './payload/embedding-summary.js';
import type { BoundedPayload, PayloadText } from './payload/truncate.js';
import { truncatePayload } from './payload/truncate.js';
import type { CallOutcome } from './records.js';
import { emitRequestRecord, emitResponseRecord, MonitorRecords } from './records.js';
import type { TelemetryReporter } from './reporter.js';
import { processWarningReporter } from './reporter.js';
import { payloadSampler, slowCall } from './sampling.js';
import {
  ATTR_BATCH_SIZE,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_HEADER_PREFIX,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_OPERATION,
  ATTR_PROTOCOL,
  ATTR_REQUEST_ID,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ERROR_TYPE_ABORTED,
  ERROR_TYPE_OTHER,
} from './semconv.js';
import { globalSignals } from './signals/global-signals.js';
import { ownSignals } from './signals/own-signals.js';
import type { Signals } from './signals/signals.js';
import { WrittenSchemas } from './written-schemas.js';
import type { InferenceTelemetryOptions, PredictCall, PredictMatcher, TelemetryDestinations } from './types.js';

/** The request id headers read, in order: KServe's and most proxies', then CloudEvents'. */
const REQUEST_ID_HEADERS = ['x-request-id', 'ce-id'] as const;
/** The headers that can continue a caller's trace: W3C, B3 multi-header and B3 single-header. */
const TRACE_HEADERS = ['traceparent', 'x-b3-traceid', 'b3'] as const;
/** The header the request id is echoed in. */
const REQUEST_ID_RESPONSE_HEADER = 'x-request-id';
/** The status recorded for a call whose client left before the answer was complete (nginx's convention). */
const STATUS_CLIENT_CLOSED = 499;
const FIRST_ERROR_STATUS = 400;
/**
 * Bytes of the answer kept at least, whatever `maxPayloadBytes` says, so a
 * failed call's `{"error": "..."}` message can be read even when the payload
 * records keep less.
 */
const MIN_RESPONSE_CAPTURE_BYTES = 4096;

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
  /** Exports everything queued. */
  forceFlush(): Promise<void>;
  /** Exports everything queued, then stops the providers the middleware built (not the application's). */
  shutdown(): Promise<void>;
}

/** What one call carries from its start to its end. */
interface CallState {
  readonly call: PredictCall;
  /** The call's model and version as its attributes hold them (cut to the attribute value limit). */
  readonly model: string | undefined;
  readonly version: string | undefined;
  readonly span: Span;
  /** The caller's context the span continues; the records' context is made from it only when records are written. */
  readonly parentContext: Context;
  readonly requestId: string;
  /** The allow-listed request headers, for the records. */
  readonly headers: Attributes | undefined;
  readonly startMillis: number;
  readonly startTime: HrTime;
  readonly captured: CapturedResponse;
  /** What the application says about the call while handling it. */
  readonly gathered: CallContext;
}

/**
 * A header's first non-empty value; an empty one counts as absent. Node
 * joins a repeated header's values with ', ' in `headers`, so a value with a
 * comma is looked up again in `headersDistinct`, which keeps them apart (only
 * then: it is built from every header of the request on first use).
 */
function headerValue(req: Request, name: string): string | undefined {
  const header = req.headers[name];
  if (typeof header !== 'string' || header === '') return undefined;
  return header.includes(',') ? req.headersDistinct[name]?.find((value) => value !== '') : header;
}

/** The id another middleware recording the same call has already echoed, if any. */
function echoedRequestId(res: Response): string | undefined {
  const echoed = res.getHeader(REQUEST_ID_RESPONSE_HEADER);
  return typeof echoed === 'string' ? echoed : undefined;
}

/** A recorded error's type: its `kind`, `code` or `name`; undefined for one with none (a thrown string). */
function errorTypeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { kind, code, name } = error as { kind?: unknown; code?: unknown; name?: unknown };
  return [kind, code, name].find((candidate): candidate is string => typeof candidate === 'string' && candidate !== '');
}

/**
 * The handler's error as the span's exception event records it: its type
 * as the SDK reads it (`code`, else `name`), and its message and stack cut
 * to {@link boundedErrorText}'s limit.
 */
function boundedException(error: Error): Exception {
  const { code } = error as { code?: unknown };
  const cut = { name: error.name, message: boundedErrorText(error.message) };
  const stack = error.stack === undefined ? undefined : boundedErrorText(error.stack);
  return typeof code === 'string' || typeof code === 'number' ? { ...cut, code, stack } : { ...cut, stack };
}

/** The message of `{"error": "..."}` or OpenAI's `{"error": {"message": "..."}}` answers. */
function errorMessageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    const nested = (parsed.error as { message?: unknown } | undefined)?.message;
    return typeof nested === 'string' ? nested : undefined;
  } catch {
    return undefined;
  }
}

/** Where a resolved configuration sends the telemetry. */
function destinationsOf(config: ResolvedConfig): TelemetryDestinations {
  if (config.providers === 'global') return { providers: 'global', otlp: {} };
  const { otlp, fileSink } = config;
  return {
    providers: 'own',
    otlp: { logs: otlp?.logs?.url, traces: otlp?.traces?.url, metrics: otlp?.metrics?.url },
    files: fileSink?.directory,
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
    forceFlush: () => signals.forceFlush(),
    shutdown: () => signals.shutdown(),
  });
}

/** Records calls: the span and the active count when a call starts, everything else when it ends. */
class CallRecorder {
  readonly #config: ResolvedConfig;
  readonly #signals: Signals;
  readonly #reporter: TelemetryReporter;
  readonly #metrics: CallMetrics;
  readonly #monitors: MonitorRecords;
  // Each propagator's extraction overwrites the one before: W3C's goes last, so it wins when both kinds are sent.
  readonly #propagator = new CompositePropagator({
    propagators: [new B3Propagator(), new W3CTraceContextPropagator()],
  });
  readonly #redactPaths: ReturnType<typeof parseRedactPaths>;
  /** Each allow-listed header's name and its attribute's key, made once. */
  readonly #headerKeys: readonly (readonly [name: string, key: string])[];
  readonly #samplePayload: (traceId: string) => boolean;
  /** Bytes of each answer kept, and decoded at most from a compressed one. */
  readonly #captureLimit: number;

  constructor(config: ResolvedConfig, signals: Signals, reporter: TelemetryReporter, schemas: WrittenSchemas) {
    this.#config = config;
    this.#signals = signals;
    this.#reporter = reporter;
    this.#metrics = signals.metrics;
    this.#monitors = new MonitorRecords(signals.logger, schemas);
    this.#redactPaths = parseRedactPaths(config.redactPaths);
    this.#headerKeys = config.captureHeaders.map((name) => [name, `${ATTR_HTTP_REQUEST_HEADER_PREFIX}${name}`]);
    this.#samplePayload = payloadSampler(config.payloadSampleRate);
    this.#captureLimit = Math.max(config.maxPayloadBytes, MIN_RESPONSE_CAPTURE_BYTES);
    reportServerResponseWrites();
  }

  #guard(record: () => void): void {
    try {
      record();
    } catch (error) {
      this.reportFault(error);
    }
  }

  reportFault(error: unknown): void {
    this.#metrics.telemetryError();
    this.#reporter.warnOnce(
      'INFERLENS_TELEMETRY_FAULT',
      `a predict call's telemetry could not be recorded (the call itself is unaffected): ${(error as Error)?.message ?? String(error)}`,
    );
  }

  /**
   * Continues the caller's trace: the active span when HTTP instrumentation
   * made one (the call's span is then its child), else W3C `traceparent` or
   * B3 headers (the call's span is then the server span). An active span
   * with no trace, as instrumentation makes with the API's no-op tracer, is
   * no parent: the SDK would start a new trace below it.
   */
  #parent(req: Request): { context: Context; kind: SpanKind } {
    const active = trace.getActiveSpan();
    if (active !== undefined && isSpanContextValid(active.spanContext()))
      return { context: trace.setSpan(ROOT_CONTEXT, active), kind: SpanKind.INTERNAL };
    const { headers } = req;
    // Most calls carry no trace headers: skip the propagators' parsing for them.
    const traced = TRACE_HEADERS.some((name) => headers[name] !== undefined);
    return {
      context: traced ? this.#propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter) : ROOT_CONTEXT,
      kind: SpanKind.SERVER,
    };
  }

  /** The allow-listed request headers, as `http.request.header.<name>` attributes; undefined when none was sent. */
  #capturedHeaders(req: Request): Attributes | undefined {
    let captured: Attributes | undefined;
    for (const [name, key] of this.#headerKeys) {
      const value = req.headers[name];
      if (value !== undefined)
        (captured ??= {})[key] = (Array.isArray(value) ? value : [value]).map(boundedAttributeValue);
    }
    return captured;
  }

  start(req: Request, res: Response, call: PredictCall): void {
    const gathered = openCallContext(req);
    if (gathered.recorders?.includes(this)) return;
    (gathered.recorders ??= []).push(this);
    const sentId =
      headerValue(req, REQUEST_ID_HEADERS[0]) ??
      headerValue(req, REQUEST_ID_HEADERS[1]) ??
      echoedRequestId(res) ??
      randomUUID();
    // Echoed as sent, so the client finds its own id; the telemetry keeps no more than an attribute holds. Headers
    // already sent (flushed before the call reached the middleware) take no more, and the call is recorded all the same.
    if (!res.headersSent) res.setHeader(REQUEST_ID_RESPONSE_HEADER, sentId);
    const requestId = boundedAttributeValue(sentId);
    const model = call.model === undefined ? undefined : boundedAttributeValue(call.model);
    const version = call.version === undefined ? undefined : boundedAttributeValue(call.version);
    // An HrTime, which the span keeps as given: its end is this plus the measured duration, exactly.
    const startTime = millisToHrTime(Date.now());
    const parent = this.#parent(req);
    const attributes: Attributes = {
      [ATTR_PROTOCOL]: call.protocol,
      [ATTR_OPERATION]: call.operation,
      [ATTR_REQUEST_ID]: requestId,
      [ATTR_HTTP_ROUTE]: call.route,
      [ATTR_URL_PATH]: boundedAttributeValue(clientPath(req)),
      // A forwarded scheme is whatever the proxy (or, through it, the client) wrote: bounded like any value sent.
      [ATTR_URL_SCHEME]: boundedAttributeValue(clientScheme(req)),
    };
    setMethodAttributes(attributes, req.method, this.#config.knownMethods);
    if (model !== undefined) attributes[ATTR_MODEL_NAME] = model;
    if (version !== undefined) attributes[ATTR_MODEL_VERSION] = version;
    const headers = this.#capturedHeaders(req);
    if (headers !== undefined) Object.assign(attributes, headers);
    const spanName = callSpanName(call.operation, model);
    const span = this.#signals.tracer.startSpan(spanName, { kind: parent.kind, attributes, startTime }, parent.context);
    this.#metrics.started(call.protocol);
    const state: CallState = {
      call,
      model,
      version,
      span,
      parentContext: parent.context,
      requestId,
      headers,
      startMillis: performance.now(),
      startTime,
      captured: captureResponse(res, this.#captureLimit),
      gathered,
    };
    // `close` follows `finish` when the answer was complete, and comes alone
    // when the connection went first: one listener sees every call end. A
    // response emits it once, so `on` does (without `once`'s wrapper).
    res.on('close', () => {
      try {
        this.#end(req, res, state);
      } catch (error) {
        this.reportFault(error);
      }
    });
  }

  /**
   * How the call ended. A failed call's error message is read from its
   * answer (`answerText`: decoded and redacted once, for this and the
   * response record) unless the handler passed the error itself. An answer
   * that never finished is the client's doing unless the handler recorded
   * an error: then the server broke off, typically Express closing the
   * connection after an error once the headers were out, and the call keeps
   * the status it sent and that error. A request whose body never fully
   * arrived is the client's doing all the same: the error recorded then is
   * the parser's account of the client leaving (body-parser's "request
   * aborted"), and the status the error handler set was never sent. Unless
   * the server said it cut the call off: its `cutOff` error and status,
   * recorded before the connection closed, stand.
   */
  #outcome(
    req: Request,
    res: Response,
    state: CallState,
    annotations: CallAnnotations | undefined,
    answerText: () => PayloadText,
  ): CallOutcome {
    const brokenOff = !res.writableFinished;
    const cutOff = brokenOff ? annotations?.cutOff : undefined;
    const error = cutOff === undefined ? annotations?.error : cutOff.error;
    const aborted = brokenOff && cutOff === undefined && (error === undefined || !req.complete);
    const status = cutOff?.status ?? (aborted ? STATUS_CLIENT_CLOSED : res.statusCode);
    const duration = millisToHrTime(performance.now() - state.startMillis);
    const durationSeconds = hrTimeToSeconds(duration);
    const failed = brokenOff || status >= FIRST_ERROR_STATUS;
    if (!failed)
      return { status, duration, durationSeconds, failed, error, errorType: undefined, errorMessage: undefined };
    // An error with no type of its own says no more than an error status it was answered with, which the conventions
    // name; with a status that says no failure (the answer broke off after it), only their fallback is left.
    const errorType = aborted
      ? ERROR_TYPE_ABORTED
      : (errorTypeOf(error) ?? (status >= FIRST_ERROR_STATUS ? String(status) : ERROR_TYPE_OTHER));
    const message = aborted
      ? 'the client closed the connection before the answer was complete'
      : error instanceof Error
        ? error.message
        : errorMessageOf(answerText().text);
    const errorMessage = message === undefined ? undefined : boundedErrorText(message);
    return { status, duration, durationSeconds, failed, error, errorType, errorMessage };
  }

  /**
   * The answer with the `redactPaths` fields replaced. An answer the capture
   * cut is no longer whole JSON, so with redaction on it is withheld whole
   * rather than risk a field it was meant to hide.
   */
  #redacted(content: PayloadText): PayloadText {
    if (this.#redactPaths.length === 0 || content.text === '') return content;
    // Withheld unscanned: with no limit to stop at, a scan of a cut answer would read all of it only to need more.
    if (content.cut) return { text: REDACTED, cut: true };
    return { text: redactPayload(content, this.#redactPaths)?.text ?? REDACTED, cut: false };
  }

  /** A redacted payload capped at `maxPayloadBytes`. */
  #bounded({ text, cut }: PayloadText, size: number): BoundedPayload {
    const bounded = truncatePayload(text, this.#config.maxPayloadBytes);
    return { text: bounded.text, size, truncated: cut || bounded.truncated };
  }

  /**
   * The request record's payload. Without redaction, only the bytes the
   * record keeps are decoded; with it, a start of the body that its
   * redacted text fills. A body of unknown size (chunked, not kept) has the
   * size of its text.
   */
  #requestPayload(req: Request, rawBody: Buffer | undefined, size: number | undefined): BoundedPayload {
    const limit = this.#config.maxPayloadBytes;
    let content: PayloadText = { text: '', cut: false };
    const read = (maxBytes: number): PayloadText => (content = requestPayload(req, rawBody, maxBytes));
    const text = this.#redactPaths.length === 0 ? read(limit) : redactPayloadStart(read, this.#redactPaths, limit);
    return this.#bounded(text, size ?? Buffer.byteLength(content.text));
  }

  #end(req: Request, res: Response, state: CallState): void {
    const { call, span } = state;
    const { annotations, monitors, rawBody } = state.gathered;
    // The answer's text as the records show it (decoded when compressed, its JSON part for a binary-extension
    // answer, redacted), read at most once for the error message and the response record.
    let answer: PayloadText | undefined;
    const answerText = (): PayloadText =>
      (answer ??= this.#redacted(
        capturedText(state.captured, {
          encoding: res.getHeader('content-encoding'),
          jsonLength: jsonPartLength(res.getHeader(INFERENCE_HEADER_CONTENT_LENGTH)),
          maxDecodedBytes: this.#captureLimit,
        }),
      ));
    const outcome = this.#outcome(req, res, state, annotations, answerText);
    const body: unknown = req.body;
    // What is only known at the end goes on the span now, and on the records below.
    const bodyModel = call.model === undefined ? (body as { model?: unknown } | undefined)?.model : undefined;
    const model = state.model ?? (typeof bodyModel === 'string' ? boundedAttributeValue(bodyModel) : undefined);
    const modelFromBody = call.model === undefined && model !== undefined;
    if (modelFromBody) span.setAttribute(ATTR_MODEL_NAME, model);
    const annotatedVersion = annotations?.modelVersion;
    const version = annotatedVersion === undefined ? state.version : boundedAttributeValue(annotatedVersion);
    if (version !== undefined && version !== state.version) span.setAttribute(ATTR_MODEL_VERSION, version);
    const batchSize = annotations?.batchSize ?? batchSizeOf(call.protocol, body);
    if (batchSize !== undefined) span.setAttribute(ATTR_BATCH_SIZE, batchSize);
    // embeddings: GenAI attributes and the `embeddings <model>` span name, whichever protocol carried the call.
    const genAi =
      annotations?.embeddings === undefined ? undefined : embeddingAttributes(model, annotations.embeddings);
    if (genAi !== undefined) span.setAttributes(genAi.attributes);
    // Named once: the GenAI name of an embedding call, else `<operation> <model>` when the model came from the body.
    const spanName = genAi?.spanName ?? (modelFromBody ? callSpanName(call.operation, model) : undefined);
    if (spanName !== undefined) span.updateName(spanName);
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
    if (outcome.failed) {
      span.setAttribute(ATTR_ERROR_TYPE, outcome.errorType!);
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorMessage });
      if (outcome.error instanceof Error) span.recordException(boundedException(outcome.error));
    }
    // Ended at the start plus the measured duration, in HrTime so that the span's duration is that duration to the
    // nanosecond: the SDK, given a start time, would end at the next whole millisecond of the wall clock, and an end
    // in epoch milliseconds loses a fraction of a microsecond to rounding, enough for the span processor to judge a
    // call at the slow threshold otherwise than the records do (both ask `slowCall`). Guarded, as the
    // records are: an application's span processor may throw from `onEnd` (the SDK does not catch it), which would
    // cost the call its metrics (leaving it in progress for good) and its records.
    this.#guard(() => span.end(addHrTimes(state.startTime, outcome.duration)));

    const requestSize = requestBodySize(req, rawBody);
    this.#metrics.ended({
      protocol: call.protocol,
      model,
      version,
      status: outcome.status,
      failed: outcome.failed,
      durationSeconds: outcome.durationSeconds,
      batchSize,
      requestBytes: requestSize,
      responseBytes: state.captured.size,
      modelExecutionSeconds: annotations?.modelExecutionSeconds,
    });

    const { traceId, traceFlags } = span.spanContext();
    // A call with no trace at all (global providers without a tracer provider) has no trace its records must agree
    // with: the payload sample rate alone decides.
    const sampled = (traceFlags & TraceFlags.SAMPLED) !== 0 || traceId === INVALID_TRACEID;
    const slow = slowCall(outcome.duration, this.#config.slowRequestThresholdMs);
    const keep = outcome.failed || slow || (sampled && this.#samplePayload(traceId));
    const { mode } = this.#config;
    const writeRequest = keep && mode !== 'response';
    const writeResponse = keep && (mode !== 'request' || outcome.failed);
    const hasMonitors = monitors !== undefined && monitors.size > 0;
    if (!hasMonitors && !writeRequest && !writeResponse) return;
    const context = trace.setSpan(state.parentContext, span);
    const rowTraceId = traceId === INVALID_TRACEID ? null : traceId;
    if (hasMonitors) this.#guard(() => this.#monitors.emit(monitors, context, state.requestId, rowTraceId));
    if (!writeRequest && !writeResponse) return;

    // The records carry what identifies the call; HTTP details stay on the span, which they share a trace with.
    const attributes: Attributes = {
      [ATTR_PROTOCOL]: call.protocol,
      [ATTR_OPERATION]: call.operation,
      [ATTR_REQUEST_ID]: state.requestId,
    };
    if (model !== undefined) attributes[ATTR_MODEL_NAME] = model;
    if (version !== undefined) attributes[ATTR_MODEL_VERSION] = version;
    if (batchSize !== undefined) attributes[ATTR_BATCH_SIZE] = batchSize;
    if (state.headers !== undefined) Object.assign(attributes, state.headers);
    if (genAi !== undefined) Object.assign(attributes, genAi.attributes);
    // Each record is guarded on its own: a fault in one does not cost the call its others.
    const logger = this.#signals.logger;
    if (writeRequest) {
      this.#guard(() => {
        emitRequestRecord(
          logger,
          context,
          state.startTime,
          this.#requestPayload(req, rawBody, requestSize),
          attributes,
        );
      });
    }
    if (writeResponse) {
      this.#guard(() => {
        // embeddings: the vectors' count, dimension and norms stand for the floats unless `embeddingVectors` is
        // 'full'; a failed call has no vectors to stand for, and logs its error answer as any call does.
        const summarize =
          !outcome.failed && annotations?.embeddings !== undefined && this.#config.embeddingVectors === 'summary';
        const text = summarize ? { text: embeddingSummary(annotations.embeddings!), cut: false } : answerText();
        const payload = this.#bounded(text, state.captured.size);
        emitResponseRecord(logger, context, payload, attributes, outcome);
      });
    }
  }
}
