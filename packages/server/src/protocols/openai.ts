import { Router } from 'express';
import type { OpenAiModel, OpenAiModelList } from '@inferlens/protocol';
import { InferenceError } from '@inferlens/protocol';
import { methodNotAllowed, POST_METHOD, READ_METHODS } from '../http/errors.js';
import { routeParam } from '../http/params.js';
import { sendJson } from '../http/respond.js';
import type { ModelVersion } from '../repository/model-repository.js';
import type { HandlerOptions } from './handlers.js';
import { OPENAI_V1_PATH } from '../http/openai-errors.js';
import { embeddingsHandler, OPENAI_EMBEDDINGS_PATH } from './openai-embeddings.js';

/** Where OpenAI's own API serves embeddings: a client whose base URL is the server's root asks here. */
const ROOT_EMBEDDINGS_PATH = '/v1/embeddings';
/** `owned_by` of every model this server lists. */
const OWNER = 'inferlens';
const MILLIS_PER_SECOND = 1e3;

function describe(version: ModelVersion): OpenAiModel {
  return {
    id: version.modelName,
    object: 'model',
    created: Math.floor((version.readyAt ?? 0) / MILLIS_PER_SECOND),
    owned_by: OWNER,
  };
}

/**
 * OpenAI's routes: embeddings, and the models list of the `text_embedding`
 * models with a ready version (`created` is when their highest ready
 * version became ready). `startServer` answers embeddings on its direct path before the
 * app sees them; the route here serves the app on its own.
 */
export function openAiRouter(options: HandlerOptions): Router {
  const { repository } = options;
  const router = Router();

  const embeddings = embeddingsHandler(options);
  router.post(OPENAI_EMBEDDINGS_PATH, (req, res) => embeddings(req, res, { model: '' }));

  router.get(`${OPENAI_V1_PATH}/models`, (_req, res) => {
    // Each model's default version, the one embeddings and retrieval serve: the highest that is ready.
    const data = repository
      .models()
      .map((model) => repository.find(model.name))
      .filter((served) => served.state === 'ready' && served.embedder !== undefined)
      .map(describe);
    const body: OpenAiModelList = { object: 'list', data };
    sendJson(res, 200, body);
  });

  router.get(`${OPENAI_V1_PATH}/models/:model`, (req, res) => {
    sendJson(res, 200, describe(repository.findEmbedder(routeParam(req, 'model')!, 'MODEL_NOT_FOUND')));
  });

  // OpenAI's own path, where a client's base URL left at the server's root sends it: still a 404 (KServe serves
  // OpenAI under /openai, and /v1/models is V1's model list), but one that says where embeddings are.
  router.all(ROOT_EMBEDDINGS_PATH, (req) => {
    throw new InferenceError(
      'ROUTE_NOT_FOUND',
      `no endpoint answers ${req.method} ${req.path}; OpenAI embeddings are served at POST ${OPENAI_EMBEDDINGS_PATH} ` +
        `(an OpenAI client's base URL is this server's ${OPENAI_V1_PATH})`,
    );
  });

  // Another method on these paths is a 405, not the 404 of a path no endpoint answers.
  router.all(OPENAI_EMBEDDINGS_PATH, methodNotAllowed(POST_METHOD));
  router.all([`${OPENAI_V1_PATH}/models`, `${OPENAI_V1_PATH}/models/:model`], methodNotAllowed(READ_METHODS));

  return router;
}
