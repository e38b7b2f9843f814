import type { Exception } from '@opentelemetry/api';
import { hrTimeToSeconds, millisToHrTime } from '@opentelemetry/core';
import type { Request, Response } from 'express';
import type { CallAnnotations } from './annotations.js';
import { boundedErrorText, cutText } from './attribute-value.js';
import type { PayloadText } from './payload/truncate.js';
import type { CallOutcome } from './records.js';
import { ERROR_TYPE_ABORTED, ERROR_TYPE_OTHER, ERROR_TYPE_TIMEOUT } from './semconv.js';
import { socketTimedOutSince } from './socket-timeout.js';

/** How a call that broke off is recorded when no error of its own explains it, by who broke it off. */
interface LeftOff {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/** The client left before the answer was complete: nginx's 499. */
const CLIENT_LEFT: LeftOff = {
  status: 499,
  errorType: ERROR_TYPE_ABORTED,
  message: 'the client closed the connection before the answer was complete',
};
/**
 * Node.js gave up on the request when the server's `requestTimeout` ran
 * out: the 408 it answers then, typed as the conventions type an error
 * status. The error recorded beside it is the parser's account of the
 * connection closing, not its cause.
 */
const REQUEST_TIMED_OUT: LeftOff = {
  status: 408,
  errorType: '408',
  message: "the request did not arrive within the server's requestTimeout",
};
/** The code of the error Node.js destroys the socket with then (lib/_http_server.js `onRequestTimeout`). */
const CODE_REQUEST_TIMEOUT = 'ERR_HTTP_REQUEST_TIMEOUT';
/**
 * The server closed the connection when its socket timeout ran out
 * (`server.timeout`, `setTimeout`), before the answer was complete: the
 * server gave up, as a response timeout middleware (connect-timeout)
 * answering 503 does, though Node.js sends nothing then.
 */
const SOCKET_TIMED_OUT: LeftOff = {
  status: 503,
  errorType: ERROR_TYPE_TIMEOUT,
  message: "the server's socket timeout ran out before the answer was complete",
};
const FIRST_ERROR_STATUS = 400;

/** A recorded error's type: its `kind`, `code` or `name`; undefined for one with none (a thrown string). */
function errorTypeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { kind, code, name } = error as { kind?: unknown; code?: unknown; name?: unknown };
  return [kind, code, name].find((candidate): candidate is string => typeof candidate === 'string' && candidate !== '');
}

/**
 * Who broke off a call that started at `startMillis`: Node.js, when the
 * server's `requestTimeout` ran out (it then destroys the socket with its own
 * error, after writing a 408 if nothing was written yet) or the socket's
 * timeout did since the call started (it destroys the socket without an
 * error), else the client.
 */
function whoLeftOff(req: Request, startMillis: number): LeftOff {
  if ((req.socket?.errored as { code?: unknown } | null | undefined)?.code === CODE_REQUEST_TIMEOUT)
    return REQUEST_TIMED_OUT;
  return socketTimedOutSince(req.socket, startMillis) ? SOCKET_TIMED_OUT : CLIENT_LEFT;
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

/**
 * The handler's error as the span's exception event records it: its type
 * as the SDK reads it (`code`, else `name`), and its message and stack cut
 * to {@link boundedErrorText}'s limit; every string of it is also cut to
 * `valueLimit` (the span value length limit), which the SDK would cut it to
 * as it makes the event's attributes, by its own cut.
 */
export function boundedException(error: Error, valueLimit = Infinity): Exception {
  const cut = (text: string): string => cutText(text, valueLimit);
  const { code } = error as { code?: unknown };
  const name = cut(error.name);
  const message = cut(boundedErrorText(error.message));
  const stack = error.stack === undefined ? undefined : cut(boundedErrorText(error.stack));
  if (typeof code === 'number') return { code, name, message, stack };
  return typeof code === 'string' ? { code: cut(code), name, message, stack } : { name, message, stack };
}

/**
 * How the call that ran from `startMillis` to `endMillis` (`performance.now()`) ended. A
 * failed call's error message is read from its answer (`answerText`: decoded
 * and redacted once, for this and the response record) unless the handler
 * passed the error itself. An answer that never finished is the client's
 * doing unless the handler recorded an error: then the server broke off,
 * typically Express closing the connection after an error once the headers
 * were out, and the call keeps the status it sent and that error. A request
 * whose body never fully arrived is the client's doing all the same: the
 * error recorded then is the parser's account of the client leaving
 * (body-parser's "request aborted"), and the status the error handler set was
 * never sent. Unless the server broke it off: Node.js, when its
 * `requestTimeout` ran out before the request had all arrived (the 408 it
 * answers then stands) or the socket's timeout ran out during the call
 * (503, `timeout`), or the server saying it cut the call off (its
 * `cutOff` error and status, recorded before the connection closed, stand).
 * Only a call that broke off pays for the looking.
 */
export function callOutcome(
  req: Request,
  res: Response,
  startMillis: number,
  endMillis: number,
  annotations: CallAnnotations | undefined,
  answerText: () => PayloadText,
): CallOutcome {
  const brokenOff = !res.writableFinished;
  const cutOff = brokenOff ? annotations?.cutOff : undefined;
  const error = cutOff === undefined ? annotations?.error : cutOff.error;
  const leftOff =
    brokenOff && cutOff === undefined && (error === undefined || !req.complete)
      ? whoLeftOff(req, startMillis)
      : undefined;
  const status = cutOff?.status ?? leftOff?.status ?? res.statusCode;
  const duration = millisToHrTime(endMillis - startMillis);
  const durationSeconds = hrTimeToSeconds(duration);
  const failed = brokenOff || status >= FIRST_ERROR_STATUS;
  if (!failed)
    return { status, duration, durationSeconds, failed, error, errorType: undefined, errorMessage: undefined };
  // An error with no type of its own says no more than an error status it was answered with, which the conventions
  // name; with a status that says no failure (the answer broke off after it), only their fallback is left.
  const errorType =
    leftOff?.errorType ?? errorTypeOf(error) ?? (status >= FIRST_ERROR_STATUS ? String(status) : ERROR_TYPE_OTHER);
  const message = leftOff?.message ?? (error instanceof Error ? error.message : errorMessageOf(answerText().text));
  const errorMessage = message === undefined ? undefined : boundedErrorText(message);
  return { status, duration, durationSeconds, failed, error, errorType, errorMessage };
}
