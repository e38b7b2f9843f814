import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '@inferlens/protocol';
import { InferenceError } from '@inferlens/protocol';
import type { Logger } from '../logger.js';

/** The fields body-parser's errors carry (see the http-errors package). */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(error: BodyParserError): InferenceError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new InferenceError(
        'PAYLOAD_TOO_LARGE',
        `the request body is larger than the limit of ${error.limit} bytes`,
      );
    case 'request.aborted':
    case 'request.size.invalid':
      return new InferenceError('INVALID_REQUEST', `the request body could not be read: ${error.message}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new InferenceError('UNSUPPORTED_MEDIA_TYPE', error.message);
    default:
      return undefined;
  }
}

/**
 * Answers every error as `{"error": "..."}`. Messages of coded errors go to
 * the client; anything else is logged with its stack and answered with a
 * generic 500, so no internals reach a client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const coded = error instanceof InferenceError ? error : fromBodyParser(error as BodyParserError);
    if (coded === undefined) {
      logger.error(`${req.method} ${req.originalUrl} failed: ${(error as Error)?.stack ?? String(error)}`);
    }
    const status = coded?.status ?? 500;
    const body: ErrorBody = { error: coded?.message ?? 'internal server error' };
    res.status(status).json(body);
  };
}

/** The last route: any path no endpoint answers. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new InferenceError('ROUTE_NOT_FOUND', `no endpoint answers ${req.method} ${req.path}`));
};
