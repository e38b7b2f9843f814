/**
 * One registry of the errors inferlens answers with. Each kind has one HTTP
 * status, chosen as KServe's and Triton's servers answer the same fault, so
 * clients written for either see the codes they expect.
 */
export const ERROR_STATUS = {
  /** The body is not valid JSON, or breaks the protocol's structure. */
  INVALID_REQUEST: 400,
  /** A tensor does not fit the model: unknown name, datatype, shape or value. */
  INVALID_INPUT: 400,
  /** No model of that name is in the repository. */
  MODEL_NOT_FOUND: 404,
  /** The model exists, but not in that version. */
  MODEL_VERSION_NOT_FOUND: 404,
  /** No endpoint answers that method and path. */
  ROUTE_NOT_FOUND: 404,
  /** An endpoint answers the path, but with other methods (named in the answer's `Allow`). */
  METHOD_NOT_ALLOWED: 405,
  /** The body is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** The Content-Type is not one the endpoint reads. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The runtime failed while executing the model. */
  INTERNAL: 500,
  /** The model exists, but the call needs what the server does not run: KServe V1 `:explain` (no explainer). */
  NOT_IMPLEMENTED: 501,
  /** The model is loading, or failed to load. */
  MODEL_NOT_READY: 503,
  /** The server has not finished loading its models, or is shutting down. */
  SERVER_NOT_READY: 503,
} as const;

export type ErrorKind = keyof typeof ERROR_STATUS;

/** The JSON body of every error answer: `{"error": "..."}`. */
export interface ErrorBody {
  error: string;
}

/**
 * An error whose message is safe to show to a client. Anything else thrown
 * on the request path is answered as INTERNAL with a generic message.
 */
export class InferenceError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  /** The request body's field at fault, where one is: OpenAI's errors name it as `param`. */
  readonly param: string | undefined;

  constructor(kind: ErrorKind, message: string, options?: ErrorOptions & { param?: string }) {
    super(message, options);
    this.name = 'InferenceError';
    this.kind = kind;
    this.status = ERROR_STATUS[kind];
    this.param = options?.param;
  }
}

/** Shorthand for the most common kind: a tensor that does not fit the model. */
export function invalidInput(message: string, param?: string): InferenceError {
  return new InferenceError('INVALID_INPUT', message, { param });
}

/** Shorthand for a body that breaks the protocol's structure. */
export function invalidRequest(message: string, param?: string): InferenceError {
  return new InferenceError('INVALID_REQUEST', message, { param });
}
