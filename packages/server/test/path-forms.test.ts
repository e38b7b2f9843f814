/**
 * Every call the server answers from its predict, infer or embeddings
 * handler is recorded, whatever form its path takes: escapes that Express
 * decodes in a route parameter (`iris%3Apredict`), a fragment it drops,
 * backslashes it reads as slashes once it parses the target in full. On both
 * of the server's paths: the Express app of `createApp` and the direct path
 * of `startServer`.
 */
import { expect } from 'chai';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import type { InferenceTelemetryOptions } from '@inferlens/express';
import {
  ATTR_MODEL_NAME,
  ATTR_HTTP_ROUTE,
  ATTR_OPERATION,
  ATTR_RECORD_TYPE,
  METRIC_REQUEST_DURATION,
  RECORD_TYPE,
} from '@inferlens/express';
import { postTarget } from '../../../test/support/http.js';
import { IRIS_V1_BODY } from '../../../test/support/iris-calls.js';
import { DEMO_EMBEDDING } from '../../../test/support/embeddings.js';
import { pointsOf, useInMemoryTelemetry } from '../../express/test/in-memory-telemetry.js';
import { useDemoAppAndServer } from './demo-app-and-server.js';

const V2_BODY = JSON.stringify({
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [6.8, 2.8, 4.8, 1.4] }],
});
const EMBEDDINGS_BODY = JSON.stringify({ model: DEMO_EMBEDDING, input: ['a cat'] });

const TELEMETRY: InferenceTelemetryOptions = { providers: 'global', fileSink: { enabled: false } };

/** A request target, and what the handler that answers it sees. */
interface PathForm {
  readonly target: string;
  readonly body: string;
  readonly status: number;
  readonly operation: string;
  readonly model: string;
  /** The route matched, whose pattern says whether the path named a version. */
  readonly route: string;
}

const predict = (target: string, status = 200, model = 'iris'): PathForm => ({
  target,
  body: IRIS_V1_BODY,
  status,
  operation: 'predict',
  model,
  route: '/v1/models/{model}:predict',
});
const infer = (target: string, route = '/v2/models/{model}/infer'): PathForm => ({
  target,
  body: V2_BODY,
  status: 200,
  operation: 'infer',
  model: 'iris',
  route,
});

const FORMS: readonly PathForm[] = [
  predict('/v1/models/iris%3Apredict'),
  predict('/v1/models/iris%3apredict'),
  predict('/v1/models/iris:%70redict'),
  predict('/v1/models/%69ris%3A%50REDICT/?verbose=1'),
  predict('/v1/models/iris:predict#top'),
  predict('/v1/models/iris%3Apredict#top'),
  predict('/v1/models\\iris:predict#'),
  predict('http://localhost/v1/models/iris%3Apredict'),
  // Answered by the predict handler, which knows no such model.
  predict('/v1/models/%3Apredict', 404, ''),
  predict('/v1/models/:predict', 404, ''),
  predict('/v1/models/team:iris%3Apredict', 404, 'team:iris'),
  infer('/v2/models/iris/infer#top'),
  infer('/v2/models\\iris\\versions\\1\\infer#', '/v2/models/{model}/versions/{version}/infer'),
  infer('http://localhost/v2/models/iris/infer#top'),
  {
    target: '/openai/v1/embeddings#top',
    body: EMBEDDINGS_BODY,
    status: 200,
    operation: 'embeddings',
    model: DEMO_EMBEDDING,
    route: '/openai/v1/embeddings',
  },
];

describe('the forms of a predict path', () => {
  const telemetry = useInMemoryTelemetry();
  const served = useDemoAppAndServer(TELEMETRY);

  /** How many calls of the model the duration histogram has counted so far. */
  async function countedCalls(model: string): Promise<number> {
    const points = pointsOf<Histogram>(await telemetry.metric(METRIC_REQUEST_DURATION), { [ATTR_MODEL_NAME]: model });
    return points.reduce((sum, point) => sum + point.value.count, 0);
  }

  for (const form of FORMS) {
    it(`records POST ${form.target} as ${form.operation} of '${form.model}', as its handler answers it`, async () => {
      for (const origin of [served.appUrl(), served.serverUrl()]) {
        const sent = telemetry.spans().length;
        const counted = await countedCalls(form.model);
        const answer = await postTarget(origin, form.target, form.body);
        expect(answer.status, `${origin}: ${answer.text}`).to.equal(form.status);
        const [span] = (await telemetry.waitForSpans(sent + 1)).slice(sent);
        expect(span.attributes, origin).to.include({
          [ATTR_OPERATION]: form.operation,
          [ATTR_MODEL_NAME]: form.model,
          [ATTR_HTTP_ROUTE]: form.route,
        });
        const records = telemetry
          .records()
          .filter((record) => record.spanContext?.spanId === span.spanContext().spanId)
          .map((record) => [record.attributes[ATTR_RECORD_TYPE], record.attributes[ATTR_MODEL_NAME]]);
        expect(records, origin).to.deep.equal([
          [RECORD_TYPE.REQUEST, form.model],
          [RECORD_TYPE.RESPONSE, form.model],
        ]);
        expect(await countedCalls(form.model), origin).to.equal(counted + 1);
      }
    });
  }
});
