import type { Express, RequestHandler } from 'express';
import express from 'express';
import { errorHandler, notFound } from './http/errors.js';
import type { Logger } from './logger.js';
import { openAiRouter } from './protocols/openai.js';
import { v1Router } from './protocols/v1.js';
import { v2Router } from './protocols/v2.js';
import type { ModelRepository } from './repository/model-repository.js';

export interface AppOptions {
  readonly repository: ModelRepository;
  readonly logger: Logger;
  /** The largest request body accepted, in bytes; larger ones get 413. */
  readonly maxBodyBytes: number;
  /** True once every model has loaded and until shutdown begins. */
  readonly isReady: () => boolean;
  /** Mounted first, so that it sees every call, failed ones included. */
  readonly telemetry?: RequestHandler;
}

/** The Express app that serves a model repository over KServe V1, Open Inference V2 and OpenAI's embeddings API. */
export function createApp({ repository, logger, maxBodyBytes, isReady, telemetry }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Predictions are computed per request; an ETag would hash every answer for nothing.
  app.set('etag', false);
  if (telemetry !== undefined) app.use(telemetry);
  app.use(v1Router({ repository, maxBodyBytes, logger }));
  app.use(v2Router({ repository, isReady, maxBodyBytes, logger }));
  app.use(openAiRouter({ repository, maxBodyBytes, logger }));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
