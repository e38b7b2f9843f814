import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '@inferlens/protocol';
import { InferenceError } from '@inferlens/protocol';
import { annotateCall } from '@inferlens/express';
import type { Logger } from '../logger.js';
import { OPENAI_PATH_PREFIX, openAiErrorBody } from './openai-errors.js';
import { sendJson } from './respond.js';

/** Errors Express raises for a client's fault carry a 4xx `status` (a path that is not valid percent-encoding). */
interface HttpError extends Error {
  status?: number;
}

const HTTP_CLIENT_ERRORS = { min: 400, max: 499 } as const;
const HTTP_STATUS_INTERNAL_ERROR = 500;

function fromHttpError(error: HttpError): InferenceError | undefined {
  const status = typeof error === 'object' && error !== null ? error.status : undefined;
  if (status === undefined || status < HTTP_CLIENT_ERRORS.min || status > HTTP_CLIENT_ERRORS.max) return undefined;
  return new InferenceError('INVALID_REQUEST', `the request could not be read: ${error.message}`);
}

/** Writes an error answer's body from its message and, for a coded error, the error. */
type ErrorBodyFormat = (message: string, error: InferenceError | undefined) => unknown;

/** KServe's and Triton's `{"error": "..."}`. */
const kserveErrorBody: ErrorBodyFormat = (message): ErrorBody => ({ error: message });

/**
 * Answers an error, as `{"error": "..."}` unless `format` says otherwise.
 * Messages of coded errors go to the client; anything else is logged with
 * its stack and answered with a generic 500, so no internals reach a
 * client. The error is also handed to the telemetry, for the span and the
 * response record.
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  logger: Logger,
  format: ErrorBodyFormat = kserveErrorBody,
): void {
  const coded = error instanceof InferenceError ? error : fromHttpError(error as HttpError);
  if (coded === undefined) {
    logger.error(`${req.method} ${req.url} failed: ${(error as Error)?.stack ?? String(error)}`);
  }
  annotateCall(res, { error: coded ?? error });
  sendJson(res, coded?.status ?? HTTP_STATUS_INTERNAL_ERROR, format(coded?.message ?? 'internal server error', coded));
}

/**
 * Express's last error handler: every error the routes raise, answered by
 * {@link sendError} in the route's protocol's shape, the path's prefix read
 * in any letter case, as Express routes it.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const openAi = req.path.toLowerCase().startsWith(OPENAI_PATH_PREFIX);
    sendError(req, res, error, logger, openAi ? openAiErrorBody : kserveErrorBody);
  };
}

/** The methods of a read endpoint: Express answers HEAD with its GET route. */
export const READ_METHODS = 'GET, HEAD';
/** The method of a predict, infer or embeddings endpoint. */
export const POST_METHOD = 'POST';

/**
 * The last handler of a path that endpoints answer with `allow` (`GET,
 * HEAD` or `POST`): any other method is a 405 naming them, as Triton and
 * KServe answer.
 */
export function methodNotAllowed(allow: string): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Allow', allow);
    next(new InferenceError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; it answers ${allow}`));
  };
}

/** The last route: any path no endpoint answers. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new InferenceError('ROUTE_NOT_FOUND', `no endpoint answers ${req.method} ${req.path}`));
};
