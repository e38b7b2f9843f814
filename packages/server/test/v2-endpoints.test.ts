/** Every V2 endpoint, with and without /versions/<v>, and what infer answers. */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { silentLogger, startServer } from '../src/index.js';
import { identityModel } from '../../../scripts/onnx/graph.js';
import { expectError, getJson, postBinary, postJson, readBinaryResponse } from '../../../test/support/http.js';
import { scaleModel, specExampleModel } from '../../../test/support/models.js';
import type { TestServer } from '../../../test/support/server.js';
import { GARBAGE_MODEL, writeRepository } from '../../../test/support/repository.js';
import { serveModels } from '../../../test/support/server.js';

const pair = { name: 'input', datatype: 'FP32', shape: [1, 2], data: [[1.5, -2]] };

describe('V2 endpoints', () => {
  let served: TestServer;
  const url = (path: string): string => `${served.url}${path}`;

  before(async () => {
    served = await serveModels([
      // Versions 1 and 3: the default is the highest; each multiplies by its version number.
      { name: 'scale', versions: { '1': scaleModel(1), '3': scaleModel(3) } },
      // Versions 9 and 10: ordered as numbers, 10 is the highest; as strings, '9' would be.
      { name: 'tens', versions: { '9': scaleModel(9), '10': scaleModel(10) } },
      // Only positive integers without leading zeros are versions; hidden folders are not models.
      { name: 'padded', versions: { '0': scaleModel(0), '01': scaleModel(1), '2': scaleModel(2) } },
      { name: '.git', versions: { '1': scaleModel(1) } },
      { name: '.ipynb_checkpoints', versions: { '1': scaleModel(1) } },
      // Version 2 fails to load: the default is version 1, the highest that is ready.
      { name: 'fallback', versions: { '1': scaleModel(1), '2': GARBAGE_MODEL } },
      { name: 'mymodel', versions: { '1': specExampleModel() } },
      { name: 'dims', versions: { '1': identityModel('float32', ['batch', 3, null]) } },
      {
        name: 'loose',
        versions: { '1': identityModel('float32', [null, null]) },
        config: { inputs: [{ name: 'input', shape: [-1, 4] }], outputs: [{ name: 'output', shape: [-1, 4] }] },
      },
    ]);
  });

  after(async () => {
    await served?.close();
  });

  describe('health and server metadata', () => {
    it('answers live and ready with 200', async () => {
      expect((await getJson(url('/v2/health/live'))).status).to.equal(200);
      expect((await getJson(url('/v2/health/ready'))).status).to.equal(200);
    });

    it('answers server metadata', async () => {
      const response = await getJson(url('/v2'));
      expect(response.status).to.equal(200);
      expect(response.body).to.include({ name: 'inferlens' });
    });

    it('answers JSON as application/json without a charset, as its errors and KServe and Triton answer', async () => {
      const answers = [
        await getJson(url('/v2')),
        await getJson(url('/v2/health/live')),
        await getJson(url('/v2/health/ready')),
        await getJson(url('/v2/models/scale/ready')),
        await getJson(url('/v2/models/scale')),
        await postJson(url('/v2/models/scale/infer'), { inputs: [pair] }),
      ];
      for (const answer of answers) expect(answer.headers.get('content-type')).to.equal('application/json');
    });
  });

  describe('model ready', () => {
    it('answers 200 for the default version and for each version', async () => {
      for (const path of [
        '/v2/models/scale/ready',
        '/v2/models/scale/versions/1/ready',
        '/v2/models/scale/versions/3/ready',
      ]) {
        const response = await getJson(url(path));
        expect(response.status, path).to.equal(200);
        expect(response.body, path).to.deep.equal({ name: 'scale', ready: true });
      }
    });

    it('answers 503 while the model is still loading, and 200 once it has loaded', async () => {
      const repository = await writeRepository([{ name: 'slow', versions: { '1': scaleModel(1) } }]);
      // A config.json that is a named pipe keeps the model loading until the test writes the config into it.
      const config = join(repository.path, 'slow', 'config.json');
      execFileSync('mkfifo', [config]);
      const server = await startServer({
        modelRepository: repository.path,
        port: 0,
        host: '127.0.0.1',
        telemetry: false,
        logger: silentLogger,
      });
      let released = false;
      const release = async () => {
        if (!released) await writeFile(config, '{}');
        released = true;
      };
      try {
        let loading = await getJson(`${server.url}/v2/models/slow/ready`);
        // The repository is scanned just after the server starts listening: until then the model is unknown.
        while (loading.status === 404) loading = await getJson(`${server.url}/v2/models/slow/ready`);
        expectError(loading, 503, "model 'slow' version 1 is loading");
        await release();
        await server.loaded;
        expect((await getJson(`${server.url}/v2/models/slow/ready`)).status).to.equal(200);
      } finally {
        await release();
        await server.close();
        await repository.remove();
      }
    });

    it('answers 404 for a version the model does not have', async () => {
      const response = await getJson(url('/v2/models/scale/versions/2/ready'));
      expectError(response, 404, "model 'scale' has no version '2' (versions: 1, 3)");
    });
  });

  describe('model metadata', () => {
    it('lists the versions, and answers the same with /versions/<v>', async () => {
      const latest = await getJson(url('/v2/models/scale'));
      expect(latest.status).to.equal(200);
      expect(latest.body).to.deep.include({
        name: 'scale',
        versions: ['1', '3'],
        inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 2] }],
        outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 2] }],
      });
      const first = await getJson(url('/v2/models/scale/versions/1'));
      expect(first.status).to.equal(200);
      expect(first.body).to.deep.equal(latest.body);
    });

    it('answers 404 for a version the model does not have', async () => {
      expectError(await getJson(url('/v2/models/scale/versions/7')), 404, "model 'scale' has no version '7'");
    });

    it('matches a version as written: 01 and 1.0 are not version 1', async () => {
      for (const version of ['01', '1.0']) {
        const response = await getJson(url(`/v2/models/scale/versions/${version}/ready`));
        expectError(response, 404, `model 'scale' has no version '${version}'`);
      }
    });

    it('skips version folders that are not positive integers, and hidden folders', async () => {
      expect((await getJson(url('/v2/models/padded'))).body.versions).to.deep.equal(['2']);
      for (const hidden of ['.git', '.ipynb_checkpoints']) {
        expectError(await getJson(url(`/v2/models/${hidden}`)), 404, `model '${hidden}' is not in the repository`);
      }
    });

    it('shows symbolic and unknown dimensions as -1', async () => {
      const response = await getJson(url('/v2/models/dims'));
      expect(response.body.inputs).to.deep.equal([{ name: 'input', datatype: 'FP32', shape: [-1, 3, -1] }]);
      expect(response.body.outputs).to.deep.equal([{ name: 'output', datatype: 'FP32', shape: [-1, 3, -1] }]);
    });

    it("shows the config's input and output shapes in place of the graph's, and checks requests against them", async () => {
      const response = await getJson(url('/v2/models/loose'));
      expect(response.body.inputs).to.deep.equal([{ name: 'input', datatype: 'FP32', shape: [-1, 4] }]);
      expect(response.body.outputs).to.deep.equal([{ name: 'output', datatype: 'FP32', shape: [-1, 4] }]);
      const wrong = await postJson(url('/v2/models/loose/infer'), { inputs: [{ ...pair, shape: [1, 2] }] });
      expectError(wrong, 400, "input 'input': expected shape [-1, 4], got [1, 2]");
    });
  });

  describe('infer', () => {
    it('runs the highest version by default', async () => {
      const response = await postJson(url('/v2/models/scale/infer'), { inputs: [pair] });
      expect(response.status).to.equal(200);
      expect(response.body).to.deep.equal({
        model_name: 'scale',
        model_version: '3',
        outputs: [{ name: 'output', datatype: 'FP32', shape: [1, 2], data: [4.5, -6] }],
      });
    });

    it('orders versions as numbers: with versions 9 and 10, lists 9 first and runs 10 by default', async () => {
      expect((await getJson(url('/v2/models/tens'))).body.versions).to.deep.equal(['9', '10']);
      const response = await postJson(url('/v2/models/tens/infer'), { inputs: [pair] });
      expect(response.body).to.deep.include({ model_name: 'tens', model_version: '10' });
      expect(response.body.outputs[0].data).to.deep.equal([15, -20]);
    });

    it('runs the version named in the path', async () => {
      const first = await postJson(url('/v2/models/scale/versions/1/infer'), { inputs: [pair] });
      expect(first.body).to.deep.include({ model_name: 'scale', model_version: '1' });
      expect(first.body.outputs[0].data).to.deep.equal([1.5, -2]);
      const third = await postJson(url('/v2/models/scale/versions/3/infer'), { inputs: [pair] });
      expect(third.body).to.deep.include({ model_version: '3' });
      expect(third.body.outputs[0].data).to.deep.equal([4.5, -6]);
    });

    it('runs the highest version that is ready by default, when a higher one failed to load, as Triton does', async () => {
      const response = await postJson(url('/v2/models/fallback/infer'), { inputs: [pair] });
      expect(response.status).to.equal(200);
      expect(response.body).to.deep.include({ model_name: 'fallback', model_version: '1' });
      expect((await getJson(url('/v2/models/fallback/ready'))).status).to.equal(200);
      // Metadata lists the versions that are ready, as Triton's does: a client picking one from it gets an answer.
      expect((await getJson(url('/v2/models/fallback'))).body).to.deep.include({ versions: ['1'] });
      expect((await getJson(url('/v2/models/fallback/versions/1'))).body).to.deep.include({ versions: ['1'] });
      const failed = await postJson(url('/v2/models/fallback/versions/2/infer'), { inputs: [pair] });
      expectError(failed, 503, "model 'fallback' version 2 failed to load");
    });

    it('answers 404 for a version the model does not have', async () => {
      const response = await postJson(url('/v2/models/scale/versions/2/infer'), { inputs: [pair] });
      expectError(response, 404, "model 'scale' has no version '2'");
    });

    const specInputs = [
      { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
      { name: 'input1', shape: [1], datatype: 'BOOL', data: [true] },
    ];
    const output0 = { name: 'output0', datatype: 'FP32', shape: [1, 2], data: [1, 1.1] };
    const output1 = { name: 'output1', datatype: 'UINT32', shape: [2, 2], data: [1, 2, 3, 4] };

    it('answers every output without `outputs`, and only the requested ones, in their order, with it', async () => {
      const all = await postJson(url('/v2/models/mymodel/infer'), { inputs: specInputs });
      expect(all.body.outputs).to.deep.equal([output0, output1]);
      const one = await postJson(url('/v2/models/mymodel/infer'), {
        inputs: specInputs,
        outputs: [{ name: 'output1' }],
      });
      expect(one.body.outputs).to.deep.equal([output1]);
      const both = await postJson(url('/v2/models/mymodel/infer'), {
        inputs: specInputs,
        outputs: [{ name: 'output1' }, { name: 'output0' }],
      });
      expect(both.body.outputs).to.deep.equal([output1, output0]);
    });

    it('echoes the id, and has none when the request has none', async () => {
      const withId = await postJson(url('/v2/models/scale/infer'), { id: 'request-7', inputs: [pair] });
      expect(withId.body.id).to.equal('request-7');
      const withoutId = await postJson(url('/v2/models/scale/infer'), { inputs: [pair] });
      expect(withoutId.body).to.not.have.property('id');
    });

    it('passes the request parameters through', async () => {
      const parameters = { trace: 'abc', priority: 2, verbose: false };
      const response = await postJson(url('/v2/models/scale/infer'), { parameters, inputs: [pair] });
      expect(response.status).to.equal(200);
      expect(response.body.parameters).to.deep.equal(parameters);
    });

    it('answers one output in binary when its binary_data parameter asks', async () => {
      const response = await readBinaryResponse(
        await postBinary(
          url('/v2/models/mymodel/infer'),
          {
            inputs: specInputs,
            outputs: [{ name: 'output0', parameters: { binary_data: true } }, { name: 'output1' }],
          },
          [],
        ),
      );
      expect(response.status).to.equal(200);
      expect(response.json.outputs).to.deep.equal([
        { name: 'output0', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
        output1,
      ]);
      const floats = new Float32Array(response.binary.slice().buffer);
      expect(Array.from(floats)).to.deep.equal([1, Math.fround(1.1)]);
    });

    it("returns a requested output's parameters on that output, beside binary_data_size for a binary one", async () => {
      const response = await readBinaryResponse(
        await postBinary(
          url('/v2/models/mymodel/infer'),
          {
            inputs: specInputs,
            outputs: [
              { name: 'output0', parameters: { binary_data: true, tag: 'zero' } },
              { name: 'output1', parameters: { tag: 'one' } },
            ],
          },
          [],
        ),
      );
      expect(response.json.outputs).to.deep.equal([
        { name: 'output0', datatype: 'FP32', shape: [1, 2], parameters: { tag: 'zero', binary_data_size: 8 } },
        { ...output1, parameters: { tag: 'one' } },
      ]);
    });

    it('answers JSON for an output whose binary_data is false despite binary_data_output', async () => {
      const response = await readBinaryResponse(
        await fetch(url('/v2/models/mymodel/infer'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            inputs: specInputs,
            parameters: { binary_data_output: true },
            outputs: [{ name: 'output0' }, { name: 'output1', parameters: { binary_data: false } }],
          }),
        }),
      );
      expect(response.json.outputs[0]).to.deep.include({ parameters: { binary_data_size: 8 } });
      expect(response.json.outputs[0]).to.not.have.property('data');
      expect(response.json.outputs[1]).to.deep.equal(output1);
      expect(response.binary.byteLength).to.equal(8);
    });
  });
});
