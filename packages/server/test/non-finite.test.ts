/**
 * NaN, Infinity and -Infinity in JSON tensors, both ways, as Triton's server
 * reads and writes them and Python's json module sends them: a Log model
 * makes them, Identity models carry them back; and -0, which they write as
 * -0.0.
 */
import { expect } from 'chai';
import type { ElementType } from '../../../scripts/onnx/graph.js';
import { encodeModel, identityModel, node, valueInfo } from '../../../scripts/onnx/graph.js';
import { post, readBinaryResponse } from '../../../test/support/http.js';
import type { TestServer } from '../../../test/support/server.js';
import { serveModels } from '../../../test/support/server.js';

const logModel = encodeModel({
  name: 'log',
  inputs: [valueInfo('x', 'float32', [null])],
  outputs: [valueInfo('y', 'float32', [null])],
  nodes: [node('Log', ['x'], ['y'])],
});

const IDENTITIES: Readonly<Record<string, ElementType>> = {
  FP16: 'float16',
  BF16: 'bfloat16',
  FP32: 'float32',
  FP64: 'float64',
  INT32: 'int32',
  BOOL: 'bool',
};

/** POSTs JSON text as written (JSON.stringify cannot write the tokens) and reads the answer as text. */
async function postText(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await post(url, body, { 'content-type': 'application/json' });
  return { status: response.status, text: await response.text() };
}

function infer(datatype: string, data: string, extra = ''): string {
  return `{"inputs":[{"name":"input","datatype":"${datatype}","shape":[4],"data":${data}${extra}}]}`;
}

describe('NaN and the infinities in JSON tensors', () => {
  let served: TestServer;

  before(async () => {
    served = await serveModels([
      { name: 'log', versions: { '1': logModel } },
      ...Object.entries(IDENTITIES).map(([datatype, type]) => ({
        name: `identity_${datatype.toLowerCase()}`,
        versions: { '1': identityModel(type, ['n']) },
      })),
    ]);
  });

  after(async () => {
    await served?.close();
  });

  const inferUrl = (model: string): string => `${served.url}/v2/models/${model}/infer`;
  const predictUrl = (model: string): string => `${served.url}/v1/models/${model}:predict`;

  it("answers a model's NaN and infinities as NaN, Infinity and -Infinity, in V2 and V1", async () => {
    const v2 = await postText(
      inferUrl('log'),
      '{"inputs":[{"name":"x","datatype":"FP32","shape":[4],"data":[-1,0,1,Infinity]}]}',
    );
    expect(v2.status, v2.text).to.equal(200);
    expect(v2.text).to.include('"data":[NaN,-Infinity,0,Infinity]');
    const v1 = await postText(predictUrl('log'), '{"instances":[-1,0,1]}');
    expect(v1).to.deep.equal({ status: 200, text: '{"predictions":[NaN,-Infinity,0]}' });
  });

  it('answers -0 as -0.0, as Triton and Python write it, in every float datatype, in V2 and V1', async () => {
    for (const datatype of ['FP16', 'BF16', 'FP32', 'FP64']) {
      const model = `identity_${datatype.toLowerCase()}`;
      const v2 = await postText(inferUrl(model), infer(datatype, '[-0.0, 0, -0, 1.5]'));
      expect(v2.status, `${datatype}: ${v2.text}`).to.equal(200);
      expect(v2.text, datatype).to.include('"data":[-0.0,0,-0.0,1.5]');
      const v1 = await postText(predictUrl(model), '{"instances":[-0.0,2]}');
      expect(v1, datatype).to.deep.equal({ status: 200, text: '{"predictions":[-0.0,2]}' });
    }
  });

  it('reads the tokens as elements of every float datatype and answers them back, in V2 and V1', async () => {
    for (const datatype of ['FP16', 'BF16', 'FP32', 'FP64']) {
      const model = `identity_${datatype.toLowerCase()}`;
      const v2 = await postText(inferUrl(model), infer(datatype, '[NaN, Infinity, -Infinity, 1.5]'));
      expect(v2.status, `${datatype}: ${v2.text}`).to.equal(200);
      expect(v2.text, datatype).to.include('"data":[NaN,Infinity,-Infinity,1.5]');
      const v1 = await postText(predictUrl(model), '{"instances":[NaN,-Inf,Infinity,-NaN]}');
      expect(v1, datatype).to.deep.equal({ status: 200, text: '{"predictions":[NaN,-Infinity,Infinity,NaN]}' });
      const columns = await postText(predictUrl(model), '{"inputs":{"input":[-Infinity]}}');
      expect(columns, datatype).to.deep.equal({ status: 200, text: '{"predictions":[-Infinity]}' });
    }
  });

  it('reads them in the JSON header of a binary request, and answers them in binary exactly', async () => {
    const header =
      '{"inputs":[{"name":"input","datatype":"FP32","shape":[4],"data":[NaN,Infinity,-Infinity,0]}],' +
      '"parameters":{"binary_data_output":true}}';
    const response = await readBinaryResponse(
      await post(inferUrl('identity_fp32'), header, {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.length),
      }),
    );
    expect(response.status).to.equal(200);
    expect(Array.from(new Float32Array(response.binary.slice().buffer))).to.deep.equal([NaN, Infinity, -Infinity, 0]);
  });

  it('refuses them for an integer or BOOL tensor with 400, naming the element', async () => {
    const int = await postText(inferUrl('identity_int32'), infer('INT32', '[1, 2, NaN, 4]'));
    expect(int.status).to.equal(400);
    expect(JSON.parse(int.text)).to.deep.equal({
      error: "input 'input': element 2 is NaN, which is not a valid INT32 value",
    });
    const bool = await postText(predictUrl('identity_bool'), '{"instances":[true, -Infinity]}');
    expect(bool.status).to.equal(400);
    expect(JSON.parse(bool.text).error).to.equal(
      "input 'input': element 1 is -Infinity, which is not a valid BOOL value",
    );
  });

  it('refuses them outside tensor data as invalid JSON, and reads them in strings as text', async () => {
    for (const [url, body] of [
      [inferUrl('identity_fp32'), infer('FP32', '[1,2,3,4]', ',"parameters":{"scale":NaN}')],
      [inferUrl('identity_fp32'), '{"inputs":[{"name":"input","datatype":"FP32","shape":[Infinity],"data":[1]}]}'],
      [predictUrl('identity_fp32'), '{"instances":[1],"signature_name":NaN}'],
      [`${served.url}/openai/v1/embeddings`, '{"model":"log","input":[NaN]}'],
    ] as const) {
      const answer = await postText(url, body);
      expect(answer.status, body).to.equal(400);
      expect(answer.text, body).to.match(
        /the request body is not valid JSON: (NaN|Infinity) at position \d+ is not JSON/,
      );
    }
    const quoted = await postText(inferUrl('identity_fp32'), infer('FP32', '["NaN", 1, 2, 3]'));
    expect(quoted.status).to.equal(400);
    expect(JSON.parse(quoted.text).error).to.equal(
      `input 'input': element 0 is "NaN", which is not a valid FP32 value`,
    );
  });
});
