/**
 * The Open Inference (V2) specification's own worked examples, served by a
 * model built so that they are meaningful (see `specExampleModel`).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { expectError, getJson, postJson } from '../../../test/support/http.js';
import { specExampleModel } from '../../../test/support/models.js';
import type { TestServer } from '../../../test/support/server.js';
import { serveModels } from '../../../test/support/server.js';

function fixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));
}

const serverPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('V2 specification examples', () => {
  let served: TestServer;
  let inferUrl: string;

  before(async () => {
    // The spec's request goes to POST /v2/models/mymodel/infer.
    served = await serveModels([{ name: 'mymodel', versions: { '1': specExampleModel() } }]);
    inferUrl = `${served.url}/v2/models/mymodel/infer`;
  });

  after(async () => {
    await served?.close();
  });

  it('rejects the request as printed, whose input1 has shape [3] but one element', async () => {
    const response = await postJson(inferUrl, fixture('v2-infer-request.json'));
    expectError(response, 400, "input 'input1': shape [3] holds 3 elements, but data has 1");
  });

  it('answers the corrected request with the response example', async () => {
    const expected = fixture('v2-infer-response.json');
    const response = await postJson(inferUrl, fixture('v2-infer-request-corrected.json'));
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    expect(response.body).to.deep.equal({ model_name: 'mymodel', model_version: '1', ...expected });
  });

  it('reads tensor data in its natural (nested) form as its flattened form', async () => {
    const { natural, flattened } = fixture('v2-tensor-data.json');
    const request = (data: unknown): unknown => ({
      inputs: [
        { name: 'input0', shape: [2, 2], datatype: 'UINT32', data },
        { name: 'input1', shape: [1], datatype: 'BOOL', data: [true] },
      ],
      outputs: [{ name: 'output1' }],
    });
    const nested = await postJson(inferUrl, request(natural));
    const flat = await postJson(inferUrl, request(flattened));
    expect(nested.status).to.equal(200);
    expect(nested.body.outputs).to.deep.equal([
      { name: 'output1', datatype: 'UINT32', shape: [2, 2], data: flattened },
    ]);
    expect(flat.body).to.deep.equal(nested.body);
  });

  it('answers server metadata with the fields of $metadata_server_response', async () => {
    const response = await getJson(`${served.url}/v2`);
    expect(response.status).to.equal(200);
    expect(response.body).to.have.all.keys('name', 'version', 'extensions');
    expect(response.body.name).to.equal('inferlens');
    expect(response.body.version).to.equal(serverPackage.version);
    expect(response.body.extensions).to.be.an('array').that.includes('binary_tensor_data');
    for (const extension of response.body.extensions) expect(extension).to.be.a('string');
  });

  it('answers model metadata with the fields of $metadata_model_response', async () => {
    const response = await getJson(`${served.url}/v2/models/mymodel`);
    expect(response.status).to.equal(200);
    expect(response.body).to.have.all.keys('name', 'versions', 'platform', 'inputs', 'outputs');
    // The spec names ONNX Runtime models onnx_onnxv1; Triton reports onnxruntime_onnx.
    expect(response.body.platform).to.be.oneOf(['onnx_onnxv1', 'onnxruntime_onnx']);
    expect(response.body).to.deep.include({
      name: 'mymodel',
      versions: ['1'],
      inputs: [
        { name: 'input0', datatype: 'UINT32', shape: [2, 2] },
        { name: 'input1', datatype: 'BOOL', shape: [-1] },
      ],
      outputs: [
        { name: 'output0', datatype: 'FP32', shape: [-1, 2] },
        { name: 'output1', datatype: 'UINT32', shape: [2, 2] },
      ],
    });
  });

  it('answers the health and model ready endpoints with 200', async () => {
    const paths = [
      '/v2/health/live',
      '/v2/health/ready',
      '/v2/models/mymodel/ready',
      '/v2/models/mymodel/versions/1/ready',
    ];
    for (const path of paths) {
      const response = await fetch(`${served.url}${path}`);
      await response.body?.cancel();
      expect(response.status, path).to.equal(200);
    }
  });
});
