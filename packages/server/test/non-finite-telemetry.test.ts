/** The payload records of a call with NaN and the infinities in its tensors, both ways, redaction on. */
import { expect } from 'chai';
import type { InferenceTelemetryOptions } from '@inferlens/express';
import { RECORD_TYPE } from '@inferlens/express';
import { encodeModel, node, valueInfo } from '../../../scripts/onnx/graph.js';
import { post } from '../../../test/support/http.js';
import type { TestServer } from '../../../test/support/server.js';
import { serveModels } from '../../../test/support/server.js';
import { useInMemoryTelemetry } from '../../express/test/in-memory-telemetry.js';

const TELEMETRY: InferenceTelemetryOptions = {
  providers: 'global',
  fileSink: { enabled: false },
  redactPaths: ['parameters.api_key'],
};

const logModel = encodeModel({
  name: 'log',
  inputs: [valueInfo('x', 'float32', [null])],
  outputs: [valueInfo('y', 'float32', [null])],
  nodes: [node('Log', ['x'], ['y'])],
});

describe('the payload records of a call with NaN and the infinities', () => {
  const telemetry = useInMemoryTelemetry();
  let served: TestServer;

  before(async () => {
    served = await serveModels([{ name: 'log', versions: { '1': logModel } }], { telemetry: TELEMETRY });
  });

  after(async () => {
    await served?.close();
  });

  it('hold the request and the answer as sent, the redacted field replaced and the tokens kept', async () => {
    const sent =
      '{"inputs":[{"name":"x","datatype":"FP32","shape":[5],"data":[-1, 0, 1, NaN, -Infinity]}],' +
      '"parameters":{"api_key":"secret"}}';
    const response = await post(`${served.url}/v2/models/log/infer`, sent, { 'content-type': 'application/json' });
    const answer = await response.text();
    expect(response.status, answer).to.equal(200);
    expect(answer).to.include('"data":[NaN,-Infinity,0,NaN,NaN]');

    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(request.body).to.equal(sent.replace('"secret"', '"[REDACTED]"'));
    const recorded = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(recorded.body).to.equal(answer.replace('"secret"', '"[REDACTED]"'));
    expect(recorded.body).to.include('"data":[NaN,-Infinity,0,NaN,NaN]');
  });

  it('record a V1 call with the tokens, signed ones too', async () => {
    const sent = '{"instances":[-Infinity, NaN,-NaN]}';
    const response = await post(`${served.url}/v1/models/log:predict`, sent, { 'content-type': 'application/json' });
    expect(await response.text()).to.equal('{"predictions":[NaN,NaN,NaN]}');
    expect((await telemetry.waitForRecord(RECORD_TYPE.REQUEST)).body).to.equal(sent);
    expect((await telemetry.waitForRecord(RECORD_TYPE.RESPONSE)).body).to.equal('{"predictions":[NaN,NaN,NaN]}');
  });
});
