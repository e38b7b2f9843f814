import type { Attributes, HrTime, Span } from '@opentelemetry/api';
import { INVALID_SPAN_CONTEXT, INVALID_TRACEID, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { addHrTimes, millisToHrTime } from '@opentelemetry/core';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import { INFERENCE_HEADER_CONTENT_LENGTH } from '@inferlens/protocol';
import { boundedAttributeValue } from './attribute-value.js';
import { batchSizeOf } from './batch-size.js';
import type { CallContext } from './call-context.js';
import { closeCallContext, openCallContext } from './call-context.js';
import { boundedException, callOutcome } from './call-outcome.js';
import { ContextWithSpan } from './context-with-span.js';
import type { ResolvedConfig } from './config.js';
import { embeddingAttributes } from './embeddings.js';
import { setMethodAttributes } from './http-method.js';
import { clientScheme } from './matcher.js';
import type { CallMetrics } from './metrics/call-metrics.js';
import { jsonPartLength } from './payload/binary-extension.js';
import { embeddingSummary } from './payload/embedding-summary.js';
import { boundedPayload, redactedAnswer, requestRecordPayload } from './payload/record-payload.js';
import { parseRedactPaths } from './payload/redact.js';
import { requestBodySize } from './payload/request-body.js';
import type { CapturedResponse } from './payload/response-capture.js';
import { captureResponse, capturedText, reportServerResponseWrites } from './payload/response-capture.js';
import type { PayloadText } from './payload/truncate.js';
import type { CallOutcome } from './records.js';
import { emitRequestRecord, emitResponseRecord, MonitorRecords } from './records.js';
import type { TelemetryReporter } from './reporter.js';
import { clientPath } from './request-path.js';
import { echoRequestId } from './request-id.js';
import { payloadSampler, slowCall } from './sampling.js';
import { watchSocketTimeout } from './socket-timeout.js';
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
} from './semconv.js';
import { cutStrings } from './signals/attribute-limits.js';
import type { Signals } from './signals/signals.js';
import { callSpanName } from './span-name.js';
import type { CallParent } from './trace-parent.js';
import { tracePropagator, traceParent } from './trace-parent.js';
import { TurnBatch } from './turn-batch.js';
import type { PredictCall } from './types.js';
import type { WrittenSchemas } from './written-schemas.js';

/**
 * Bytes of the answer kept at least, whatever `maxPayloadBytes` says, so a
 * failed call's `{"error": "..."}` message can be read even when the payload
 * records keep less.
 */
const MIN_RESPONSE_CAPTURE_BYTES = 4096;

/** What one call carries from its start to its end. */
interface CallState {
  readonly call: PredictCall;
  /** The caller's trace as it stood when the call arrived: the span, made when the call ends, continues it. */
  readonly parent: CallParent;
  /**
   * `url.path` and `url.scheme`, read as the call arrives: later, a handler
   * may have rewritten `url`, and the connection may be gone.
   */
  readonly path: string;
  readonly scheme: string;
  readonly requestId: string;
  /** The request's headers, read from it once. */
  readonly headers: IncomingHttpHeaders;
  readonly startMillis: number;
  readonly startTime: HrTime;
  readonly captured: CapturedResponse;
  /** What the application says about the call while handling it. */
  readonly gathered: CallContext;
}

/** The span of a call whose span could not be made: no trace. */
const NO_TRACE: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * A call as its answer closed: how it ended, and its answer's text. Read
 * then, as a handler may still change the response afterwards (an error
 * handler answering a request whose client has gone).
 */
interface ClosedCall {
  readonly req: Request;
  readonly state: CallState;
  readonly outcome: CallOutcome;
  /** The answer's text as the records show it (decoded, its JSON part, redacted), read at most once. */
  readonly answerText: () => PayloadText;
}

/**
 * Records calls: the active count when a call starts, how it ended when
 * its answer closes, and everything else, its span included, together with
 * the other calls that ended in the same turn of the event loop.
 */
export class CallRecorder {
  readonly #config: ResolvedConfig;
  readonly #signals: Signals;
  readonly #reporter: TelemetryReporter;
  readonly #metrics: CallMetrics;
  readonly #monitors: MonitorRecords;
  readonly #propagator = tracePropagator();
  readonly #redactPaths: ReturnType<typeof parseRedactPaths>;
  /** Each allow-listed header's name and its attribute's key, made once. */
  readonly #headerKeys: readonly (readonly [name: string, key: string])[];
  readonly #samplePayload: (traceId: string) => boolean;
  /** Bytes of each answer kept, and decoded at most from a compressed one. */
  readonly #captureLimit: number;
  /**
   * The own providers' span value length limit, which the span's strings are
   * cut to before the SDK cuts them: its cut can split a surrogate pair, ours
   * does not. The application's providers keep their own limits.
   */
  readonly #spanValueLimit: number;
  /** Calls that have ended, recorded together once the loop turn's I/O is done (see {@link TurnBatch}). */
  readonly #ended = new TurnBatch<ClosedCall>((closed) => {
    try {
      this.#end(closed);
    } catch (error) {
      this.reportFault(error);
    }
  });

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
    this.#spanValueLimit =
      config.providers === 'own' ? (config.spanLimits.attributeValueLengthLimit ?? Infinity) : Infinity;
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

  /** The allow-listed request headers, as `http.request.header.<name>` attributes; undefined when none was sent. */
  #capturedHeaders(headers: IncomingHttpHeaders): Attributes | undefined {
    let captured: Attributes | undefined;
    for (const [name, key] of this.#headerKeys) {
      const value = headers[name];
      if (value !== undefined)
        (captured ??= {})[key] = (Array.isArray(value) ? value : [value]).map(boundedAttributeValue);
    }
    return captured;
  }

  /**
   * Opens the call: its request id echoed, its parent and start time noted,
   * its answer captured. Its span is made when it ends, with this start time
   * and every attribute known then (see `#recordSpan`).
   */
  start(req: Request, res: Response, call: PredictCall): void {
    const gathered = openCallContext(req, res);
    if (gathered.recorders?.includes(this)) return;
    (gathered.recorders ??= []).push(this);
    // Each read of a request or response costs under `app.listen` (see `openCallContext`): these are read once.
    const { headers, socket } = req;
    const requestId = echoRequestId(req, headers, res, gathered);
    watchSocketTimeout(socket);
    this.#metrics.started(call.protocol);
    const state: CallState = {
      call,
      parent: traceParent(headers, this.#propagator),
      path: boundedAttributeValue(clientPath(req)),
      // A forwarded scheme is whatever the proxy (or, through it, the client) wrote: bounded like any value sent.
      scheme: boundedAttributeValue(clientScheme(req, headers, socket)),
      requestId,
      headers,
      startMillis: performance.now(),
      // An HrTime, which the span keeps as given: its end is this plus the measured duration, exactly.
      startTime: millisToHrTime(Date.now()),
      captured: captureResponse(gathered, this.#captureLimit),
      gathered,
    };
    // `close` follows `finish` when the answer was complete, and comes alone
    // when the connection went first: one listener sees every call end. A
    // response emits it once, so `on` does (without `once`'s wrapper).
    res.on('close', () => {
      try {
        this.#ended.add(this.#closed(req, res, state));
      } catch (error) {
        this.reportFault(error);
      }
    });
  }

  /**
   * Ends the call as its answer closes: what the application says later is
   * not kept, nor what is written to the answer, and how it ended is read now.
   */
  #closed(req: Request, res: Response, state: CallState): ClosedCall {
    const endMillis = performance.now();
    closeCallContext(state.gathered);
    const format = {
      encoding: res.getHeader('content-encoding'),
      jsonLength: jsonPartLength(res.getHeader(INFERENCE_HEADER_CONTENT_LENGTH)),
      maxDecodedBytes: this.#captureLimit,
    };
    let answer: PayloadText | undefined;
    const answerText = (): PayloadText =>
      (answer ??= redactedAnswer(capturedText(state.captured, format), this.#redactPaths));
    const outcome = callOutcome(req, res, state.startMillis, endMillis, state.gathered.annotations, answerText);
    return { req, state, outcome, answerText };
  }

  /** Records the calls that have ended and are not recorded yet, now: before a flush, say. Never throws. */
  recordEnded(): void {
    this.#ended.handleAll();
  }

  /**
   * Makes the call's span as the call ends, from its start to its start plus
   * the measured duration, with every attribute known by then (the
   * records' `callAttributes`, then the HTTP details and how the call ended),
   * so that a sampler sees them all. Guarded, as the records are: an application's
   * sampler or span processor may throw (the SDK does not catch it), which
   * would cost the call its metrics (leaving it in progress for good) and
   * its records. A span that could not be started is no trace: the records
   * then carry none.
   */
  #recordSpan(state: CallState, outcome: CallOutcome, endTime: HrTime, callAttributes: Attributes, name: string): Span {
    const { call } = state;
    const attributes = Object.assign({}, callAttributes);
    attributes[ATTR_HTTP_ROUTE] = call.route;
    attributes[ATTR_URL_PATH] = state.path;
    attributes[ATTR_URL_SCHEME] = state.scheme;
    setMethodAttributes(attributes, state.gathered.method, this.#config.knownMethods);
    attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = outcome.status;
    if (outcome.failed) attributes[ATTR_ERROR_TYPE] = outcome.errorType!;
    const valueLimit = this.#spanValueLimit;
    const spanAttributes = cutStrings(attributes, valueLimit);
    let span = NO_TRACE;
    this.#guard(() => {
      const { parent, startTime } = state;
      const options = { kind: parent.kind, attributes: spanAttributes, startTime };
      span = this.#signals.tracer.startSpan(name, options, parent.context);
      if (outcome.failed) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorMessage });
        if (outcome.error instanceof Error) span.recordException(boundedException(outcome.error, valueLimit));
      }
      span.end(endTime);
    });
    return span;
  }

  #end({ req, state, outcome, answerText }: ClosedCall): void {
    const { call } = state;
    const { annotations, monitors, rawBody } = state.gathered;
    const body: unknown = req.body;
    const bodyModel = call.model === undefined ? (body as { model?: unknown } | undefined)?.model : undefined;
    const namedModel = call.model ?? (typeof bodyModel === 'string' ? bodyModel : undefined);
    const model = namedModel === undefined ? undefined : boundedAttributeValue(namedModel);
    const namedVersion = annotations?.modelVersion ?? call.version;
    const version = namedVersion === undefined ? undefined : boundedAttributeValue(namedVersion);
    const batchSize = annotations?.batchSize ?? batchSizeOf(call.protocol, body);
    // embeddings: GenAI attributes and the `embeddings <model>` span name, whichever protocol carried the call.
    const genAi =
      annotations?.embeddings === undefined ? undefined : embeddingAttributes(model, annotations.embeddings);
    // What identifies the call, on the span and the records alike; the HTTP details go on the span alone.
    const attributes: Attributes = {
      [ATTR_PROTOCOL]: call.protocol,
      [ATTR_OPERATION]: call.operation,
      [ATTR_REQUEST_ID]: state.requestId,
    };
    if (model !== undefined) attributes[ATTR_MODEL_NAME] = model;
    if (version !== undefined) attributes[ATTR_MODEL_VERSION] = version;
    if (batchSize !== undefined) attributes[ATTR_BATCH_SIZE] = batchSize;
    const capturedHeaders = this.#capturedHeaders(state.headers);
    if (capturedHeaders !== undefined) Object.assign(attributes, capturedHeaders);
    if (genAi !== undefined) Object.assign(attributes, genAi.attributes);
    // Ended at the start plus the measured duration, in HrTime so that the span's duration is that duration to the
    // nanosecond: the SDK, given a start time, would end at the next whole millisecond of the wall clock, and an end
    // in epoch milliseconds loses a fraction of a microsecond to rounding, enough for the span processor to judge a
    // call at the slow threshold otherwise than the records do (both ask `slowCall`).
    const endTime = addHrTimes(state.startTime, outcome.duration);
    const spanName = genAi?.spanName ?? callSpanName(call.operation, model);
    const span = this.#recordSpan(state, outcome, endTime, attributes, spanName);

    const request = { headers: state.headers, body };
    const requestSize = requestBodySize(request, rawBody);
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
    const context = new ContextWithSpan(state.parent.context, span);
    const rowTraceId = traceId === INVALID_TRACEID ? null : traceId;
    if (hasMonitors) this.#guard(() => this.#monitors.emit(monitors, context, endTime, state.requestId, rowTraceId));
    if (!writeRequest && !writeResponse) return;

    // Each record is guarded on its own: a fault in one does not cost the call its others.
    const logger = this.#signals.logger;
    if (writeRequest) {
      this.#guard(() => {
        emitRequestRecord(
          logger,
          context,
          state.startTime,
          requestRecordPayload(request, rawBody, requestSize, this.#redactPaths, this.#config.maxPayloadBytes),
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
        const payload = boundedPayload(text, state.captured.size, this.#config.maxPayloadBytes);
        emitResponseRecord(logger, context, endTime, payload, attributes, outcome);
      });
    }
  }
}
