import { SeverityNumber } from '@opentelemetry/api-logs';
import { expect } from 'chai';
import { inferenceTelemetry } from '../src/middleware.js';
import { ATTR_RECORD_TYPE, RECORD_TYPE } from '../src/semconv.js';
import type { LoggerMode } from '../src/types.js';
import { IRIS_BODY, globalOptions, kserveApp, post, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

describe('logger modes', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  /** One successful call and one failed call (400), then the record types each produced, in order. */
  async function recordTypes(mode: LoggerMode): Promise<{ ok: unknown[]; failed: unknown[] }> {
    const app = kserveApp(inferenceTelemetry(globalOptions({ mode })), {
      predict: (_req, res, model) => {
        if (model === 'bad') res.status(400).json({ error: 'instances must be a list' });
        else res.json({ predictions: [1] });
      },
    });
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'ok' });
    await post(`${url}/v1/models/bad:predict`, '{"instances": 3}', { 'x-request-id': 'failed' });
    await telemetry.waitForSpans(2);
    const types = (id: string): unknown[] =>
      telemetry
        .records()
        .filter((record) => record.attributes['inference.request.id'] === id)
        .map((record) => record.attributes[ATTR_RECORD_TYPE]);
    return { ok: types('ok'), failed: types('failed') };
  }

  it('`all` writes a request and a response record per call', async () => {
    expect(await recordTypes('all')).to.deep.equal({
      ok: [RECORD_TYPE.REQUEST, RECORD_TYPE.RESPONSE],
      failed: [RECORD_TYPE.REQUEST, RECORD_TYPE.RESPONSE],
    });
  });

  it('`request` writes only request records, but a failed call still gets its ERROR response record', async () => {
    expect(await recordTypes('request')).to.deep.equal({
      ok: [RECORD_TYPE.REQUEST],
      failed: [RECORD_TYPE.REQUEST, RECORD_TYPE.RESPONSE],
    });
    const [response] = telemetry.records(RECORD_TYPE.RESPONSE);
    expect(response.severityNumber).to.equal(SeverityNumber.ERROR);
  });

  it('`response` writes only response records', async () => {
    expect(await recordTypes('response')).to.deep.equal({
      ok: [RECORD_TYPE.RESPONSE],
      failed: [RECORD_TYPE.RESPONSE],
    });
  });

  it('is `all` by default', async () => {
    const url = await servers.start(kserveApp(inferenceTelemetry(globalOptions())));
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.waitForRecords(2);
    expect(telemetry.records().map((record) => record.attributes[ATTR_RECORD_TYPE])).to.deep.equal([
      RECORD_TYPE.REQUEST,
      RECORD_TYPE.RESPONSE,
    ]);
  });
});
