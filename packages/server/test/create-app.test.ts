/**
 * `createApp` on its own (an Express app to mount elsewhere) answers predict
 * infer and OpenAI embeddings through its Express routes exactly as `startServer` answers them
 * on its direct path, and its telemetry records them as the server's does.
 */
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { InferenceTelemetryOptions } from '@inferlens/express';
import { ATTR_DURATION } from '@inferlens/express';
import { post } from '../../../test/support/http.js';
import { useInMemoryTelemetry } from '../../express/test/in-memory-telemetry.js';
import { useDemoAppAndServer } from './demo-app-and-server.js';

const V1_BODY = JSON.stringify({
  instances: [
    [6.8, 2.8, 4.8, 1.4],
    [6.0, 3.4, 4.5, 1.6],
  ],
});
const V2_BODY = JSON.stringify({
  id: 'x',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [6.8, 2.8, 4.8, 1.4] }],
});
const EMBEDDINGS_BODY = JSON.stringify({ model: 'demo-embedding', input: ['a cat', 'rain'] });
const BAD_EMBEDDINGS_BODY = JSON.stringify({ model: 'demo-embedding', input: [] });
const BAD_V2_BODY = JSON.stringify({
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [6.8, 2.8, 4.8] }],
});
/** Not UTF-8 once decoded: Express answers a route parameter such as this with 400. */
const BAD_PERCENT_ENCODING = 'ir%E0%A4%Ais';
/** An infer request of the binary tensor data extension that asks for its outputs in binary too. */
const BINARY_V2_HEADER = JSON.stringify({
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }],
  parameters: { binary_data_output: true },
});
const BINARY_V2_BODY = Buffer.concat([
  Buffer.from(BINARY_V2_HEADER),
  Buffer.from(new Float32Array([6.8, 2.8, 4.8, 1.4]).buffer),
]);

const JSON_TYPE = { 'content-type': 'application/json' };
const BINARY_TYPE = {
  'content-type': 'application/octet-stream',
  'inference-header-content-length': String(BINARY_V2_HEADER.length),
};

/** One call the table sends to both: a path, a raw body, and its headers (JSON by default). */
interface ComparedCall {
  readonly path: string;
  readonly body: string | Uint8Array;
  readonly headers?: Record<string, string>;
  /** What the call tries, when its path alone does not say. */
  readonly about?: string;
}

/** The answer headers compared; `date` and the like differ by the moment. */
const COMPARED_HEADERS = ['content-type', 'content-length', 'x-request-id', 'inference-header-content-length'];

const TELEMETRY: InferenceTelemetryOptions = { providers: 'global', fileSink: { enabled: false } };

/** A span as the comparison reads it: the exception's stack differs by the path the call took, and is left out. */
function spanSummary(span: ReadableSpan) {
  return {
    name: span.name,
    kind: span.kind,
    status: span.status,
    attributes: span.attributes,
    events: span.events.map(({ name, attributes }) => ({
      name,
      type: attributes?.['exception.type'],
      message: attributes?.['exception.message'],
    })),
  };
}

describe('createApp on its own', () => {
  const telemetry = useInMemoryTelemetry();
  const served = useDemoAppAndServer(TELEMETRY);

  /** The answer to one call, and its span and records (timings aside). */
  async function answerAndTelemetry(base: string, { path, body, headers = JSON_TYPE }: ComparedCall) {
    const sent = telemetry.spans().length;
    const answer = await post(`${base}${path}`, body, { ...headers, 'x-request-id': 'compared' });
    // Bytes as latin1, so a binary answer compares byte for byte.
    const text = Buffer.from(await answer.arrayBuffer()).toString('latin1');
    const [span] = (await telemetry.waitForSpans(sent + 1)).slice(sent);
    const records = telemetry.records().filter((record) => record.spanContext?.spanId === span.spanContext().spanId);
    return {
      status: answer.status,
      headers: COMPARED_HEADERS.map((name) => [name, answer.headers.get(name)]),
      body: text,
      span: spanSummary(span),
      records: records.map(({ severityText, body, attributes }) => {
        const { [ATTR_DURATION]: _duration, ...rest } = attributes;
        return { severityText, body, attributes: rest };
      }),
    };
  }

  const calls: readonly ComparedCall[] = [
    { path: '/v1/models/iris:predict', body: V1_BODY },
    { path: '/v2/models/iris/infer', body: V2_BODY },
    { path: '/v2/models/iris/versions/1/infer', body: V2_BODY },
    { path: '/v2/models/iris/infer', body: BAD_V2_BODY, about: 'a shape the model does not take' },
    { path: '/v1/models/nope:predict', body: V1_BODY },
    { path: '/openai/v1/embeddings', body: EMBEDDINGS_BODY },
    { path: '/openai/v1/embeddings', body: BAD_EMBEDDINGS_BODY, about: 'no input' },
    { path: '/V2/Models/iris/Infer/?verbose=1', body: V2_BODY },
    { path: '/v2/models/%69ris/infer', body: V2_BODY },
    { path: '/v1/models/iris:PREDICT', body: V1_BODY },
    { path: '/v1/models/iris%3Apredict', body: V1_BODY, about: 'an escaped colon' },
    { path: '/v1/models/%3Apredict', body: V1_BODY, about: 'an empty model name' },
    { path: '/v1/models/team:iris:predict', body: V1_BODY, about: 'a model name with a colon' },
    { path: `/v1/models/${BAD_PERCENT_ENCODING}:predict`, body: V1_BODY },
    { path: `/v2/models/${BAD_PERCENT_ENCODING}/infer`, body: V2_BODY },
    { path: `/v2/models/iris/versions/${BAD_PERCENT_ENCODING}/infer`, body: V2_BODY },
    { path: `/v2/models/iris/infer?q=${BAD_PERCENT_ENCODING}`, body: V2_BODY },
    { path: '/v1/models/iris:Explain', body: V1_BODY },
    { path: '/v2/models/iris/infer', body: '{"inputs": [', about: 'a body that is not JSON' },
    { path: '/openai/v1/embeddings', body: '', about: 'an empty body' },
    { path: '/v1/models/iris:predict', body: V1_BODY, headers: { 'content-type': 'text/plain' }, about: 'text/plain' },
    {
      path: '/v1/models/iris:predict',
      body: gzipSync(V1_BODY),
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      about: 'gzip',
    },
    {
      path: '/v1/models/iris:predict',
      body: V1_BODY,
      headers: { ...JSON_TYPE, 'content-encoding': 'zstd' },
      about: 'an unknown Content-Encoding',
    },
    { path: '/v2/models/iris/infer', body: BINARY_V2_BODY, headers: BINARY_TYPE, about: 'binary tensor data' },
  ];
  for (const call of calls) {
    it(`answers and records POST ${call.path}${call.about === undefined ? '' : `, ${call.about},`} as the server does`, async () => {
      const fromApp = await answerAndTelemetry(served.appUrl(), call);
      const fromServer = await answerAndTelemetry(served.serverUrl(), call);
      expect(fromApp).to.deep.equal(fromServer);
    });
  }
});
