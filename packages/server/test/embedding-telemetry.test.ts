/** The GenAI attributes the server gives an OpenAI embedding call's span. */
import { expect } from 'chai';
import type { InferenceTelemetryOptions } from '@inferlens/express';
import { ATTR_GEN_AI_REQUEST_ENCODING_FORMATS } from '@inferlens/express';
import { postJson } from '../../../test/support/http.js';
import { DEMO_EMBEDDING } from '../../../test/support/embeddings.js';
import { DEMO_REPOSITORY, serveRepository } from '../../../test/support/server.js';
import type { InferenceServer } from '../src/index.js';
import { useInMemoryTelemetry } from '../../express/test/in-memory-telemetry.js';

const TELEMETRY: InferenceTelemetryOptions = { providers: 'global', fileSink: { enabled: false } };

describe('the telemetry of an OpenAI embedding call', () => {
  const telemetry = useInMemoryTelemetry();
  let server: InferenceServer;

  before(async () => {
    server = await serveRepository(DEMO_REPOSITORY, { telemetry: TELEMETRY });
  });

  after(async () => {
    await server?.close();
  });

  it('gives gen_ai.request.encoding_formats only when the request names an encoding_format', async () => {
    const bodies = [{}, { encoding_format: null }, { encoding_format: 'float' }, { encoding_format: 'base64' }];
    for (const body of bodies) {
      const answer = await postJson(`${server.url}/openai/v1/embeddings`, {
        model: DEMO_EMBEDDING,
        input: 'a',
        ...body,
      });
      expect(answer.status).to.equal(200);
    }
    const spans = await telemetry.waitForSpans(bodies.length);
    expect(spans.map((span) => span.attributes[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS])).to.deep.equal([
      undefined,
      undefined,
      ['float'],
      ['base64'],
    ]);
  });
});
