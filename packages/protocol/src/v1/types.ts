/**
 * `POST /v1/models/{model}:predict` request body: row-oriented `instances`,
 * or `inputs` (TensorFlow Serving's columnar form: an array like
 * `instances`, or an object of named columns).
 */
export interface PredictRequest {
  instances?: unknown[];
  inputs?: unknown[] | Record<string, unknown>;
}

/** The predict answer: one prediction per instance. */
export interface PredictResponse {
  predictions: unknown[];
}

/** `GET /` answer: the liveness KServe's model server reports at its root. */
export interface ServerStatus {
  status: 'alive';
}

/** `GET /v1/models/{model}` answer. */
export interface ModelStatus {
  name: string;
  ready: boolean;
}

/** `GET /v1/models` answer. */
export interface ModelList {
  models: string[];
}

/** A predict body read into rows (one per instance) or named columns. */
export type PredictPayload =
  | { readonly kind: 'rows'; readonly rows: readonly unknown[] }
  | { readonly kind: 'columns'; readonly columns: Readonly<Record<string, unknown>> };
