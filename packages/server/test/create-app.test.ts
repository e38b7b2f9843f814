/**
 * `createApp` on its own (an Express app to mount elsewhere) answers predict
 * infer and OpenAI embeddings through its Express routes exactly as `startServer` answers them
 * on its direct path.
 */
import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, ModelRepository, silentLogger } from '../src/index.js';
import { postJson } from '../../../test/support/http.js';
import type { InferenceServer } from '../src/index.js';
import { DEMO_REPOSITORY, serveRepository } from '../../../test/support/server.js';

const V1_BODY = {
  instances: [
    [6.8, 2.8, 4.8, 1.4],
    [6.0, 3.4, 4.5, 1.6],
  ],
};
const V2_BODY = { id: 'x', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [6.8, 2.8, 4.8, 1.4] }] };
const EMBEDDINGS_BODY = { model: 'demo-embedding', input: ['a cat', 'rain'] };
const BAD_EMBEDDINGS_BODY = { model: 'demo-embedding', input: [] };
const BAD_V2_BODY = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [6.8, 2.8, 4.8] }] };

describe('createApp on its own', () => {
  let repository: ModelRepository;
  let app: Server;
  let appUrl: string;
  let server: InferenceServer;

  before(async () => {
    repository = new ModelRepository(DEMO_REPOSITORY, { logger: silentLogger, sessionOptions: {} });
    await repository.load();
    const express = createApp({ repository, logger: silentLogger, maxBodyBytes: 1 << 20, isReady: () => true });
    app = express.listen(0, '127.0.0.1');
    await new Promise((resolve) => app.once('listening', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    server = await serveRepository(DEMO_REPOSITORY);
  });

  after(async () => {
    await new Promise((resolve) => app.close(resolve));
    await repository.close();
    await server.close();
  });

  for (const [path, body] of [
    ['/v1/models/iris:predict', V1_BODY],
    ['/v2/models/iris/infer', V2_BODY],
    ['/v2/models/iris/versions/1/infer', V2_BODY],
    ['/v2/models/iris/infer', BAD_V2_BODY],
    ['/v1/models/nope:predict', V1_BODY],
    ['/openai/v1/embeddings', EMBEDDINGS_BODY],
    ['/openai/v1/embeddings', BAD_EMBEDDINGS_BODY],
  ] as const) {
    it(`answers POST ${path} as the server does`, async () => {
      const fromApp = await postJson(`${appUrl}${path}`, body);
      const fromServer = await postJson(`${server.url}${path}`, body);
      expect(fromApp.status).to.equal(fromServer.status);
      expect(fromApp.body).to.deep.equal(fromServer.body);
    });
  }
});
