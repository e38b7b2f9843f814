import type { InferenceError, OpenAiErrorBody } from '@inferlens/protocol';

/** The path prefix of the OpenAI-compatible routes, whose errors take OpenAI's shape. */
export const OPENAI_PATH_PREFIX = '/openai/';
/** Where the OpenAI API's `/v1` routes are served. */
export const OPENAI_V1_PATH = `${OPENAI_PATH_PREFIX}v1`;

const FIRST_SERVER_ERROR_STATUS = 500;

/**
 * OpenAI's error body: `type` is `invalid_request_error` for a client's
 * fault and `server_error` otherwise, as OpenAI answers; `param` the
 * request field at fault, or null (OpenAI always sends the key); `code` is
 * the error's kind in lower case (`model_not_found`, `invalid_request`, …).
 */
export function openAiErrorBody(message: string, error: InferenceError | undefined): OpenAiErrorBody {
  const serverFault = error === undefined || error.status >= FIRST_SERVER_ERROR_STATUS;
  return {
    error: {
      message,
      type: serverFault ? 'server_error' : 'invalid_request_error',
      param: error?.param ?? null,
      code: (error?.kind ?? 'INTERNAL').toLowerCase(),
    },
  };
}
