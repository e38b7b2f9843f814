import type { Request } from 'express';
import { expect } from 'chai';
import { inferenceTelemetry } from '../src/middleware.js';
import type { ColumnOptions } from '../src/monitor.js';
import { monitor } from '../src/monitor.js';
import { ATTR_MONITOR_NAME, ATTR_RECORD_TYPE, ATTR_REQUEST_ID, RECORD_TYPE } from '../src/semconv.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  get,
  globalOptions,
  kserveApp,
  post,
  useInMemoryTelemetry,
  useServers,
} from './in-memory-telemetry.js';

const SEPAL: ColumnOptions = { name: 'sepal_length', role: 'feature', dataType: 'numerical' };
const PRED: ColumnOptions = { name: 'pred', role: 'prediction', dataType: 'categorical' };
const SCORES: ColumnOptions = { name: 'scores', role: 'prediction', dataType: 'numerical_sequence' };

describe('monitor columns', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();
  /** The columns the handler logs, changed by a test between calls. */
  let columns: [unknown, ColumnOptions][];

  beforeEach(() => {
    columns = [
      [5.1, SEPAL],
      ['versicolor', PRED],
    ];
  });

  async function serve(): Promise<string> {
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      predict: (req, res) => {
        const mon = monitor(req, 'iris_classifier');
        for (const [value, column] of columns) mon.log(value, column);
        res.send(IRIS_ANSWER);
      },
    });
    app.post('/plain', (req, res) => {
      monitor(req, 'iris_classifier').log(1, SEPAL);
      res.json({ ok: true });
    });
    return servers.start(app);
  }

  const rows = (): Record<string, unknown>[] =>
    telemetry.records(RECORD_TYPE.MONITOR_ROW).map((record) => JSON.parse(record.body as string));
  const schemas = (): unknown[] =>
    telemetry.records(RECORD_TYPE.MONITOR_SCHEMA).map((record) => JSON.parse(record.body as string));

  it('writes one row record per call with the reserved columns and the logged ones', async () => {
    const url = await serve();
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'row-1' });
    const [span] = await telemetry.waitForSpans();
    const [record] = await telemetry.waitForRecords(1, RECORD_TYPE.MONITOR_ROW);
    const { traceId, spanId } = span.spanContext();
    expect(record.attributes).to.include({ [ATTR_MONITOR_NAME]: 'iris_classifier', [ATTR_REQUEST_ID]: 'row-1' });
    expect(record.spanContext).to.include({ traceId, spanId });
    const [row] = rows();
    expect(row).to.have.keys('timestamp', 'request_id', 'trace_id', 'sepal_length', 'pred');
    expect(row).to.include({ request_id: 'row-1', trace_id: traceId, sepal_length: 5.1, pred: 'versicolor' });
    expect(new Date(row['timestamp'] as string).toISOString()).to.equal(row['timestamp']);
  });

  it('writes the schema the first time, not again for the same columns, and again when they change', async () => {
    const url = await serve();
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.waitForRecords(2, RECORD_TYPE.MONITOR_ROW);
    expect(schemas()).to.deep.equal([
      {
        columns: [
          { name: 'sepal_length', role: 'feature', type: 'numerical' },
          { name: 'pred', role: 'prediction', type: 'categorical' },
        ],
      },
    ]);
    columns.push([[0.1, 0.8, 0.1], SCORES]);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.waitForRecords(3, RECORD_TYPE.MONITOR_ROW);
    expect(schemas()).to.have.lengthOf(2);
    expect(schemas()[1]).to.deep.equal({
      columns: [
        { name: 'sepal_length', role: 'feature', type: 'numerical' },
        { name: 'pred', role: 'prediction', type: 'categorical' },
        { name: 'scores', role: 'prediction', type: 'numerical_sequence' },
      ],
    });
    expect(rows()[2]['scores']).to.deep.equal([0.1, 0.8, 0.1]);
  });

  it('ignores reserved and repeated column names', async () => {
    columns.push(
      ['forged', { name: 'request_id', role: 'feature', dataType: 'categorical' }],
      ['forged', { name: 'trace_id', role: 'feature', dataType: 'categorical' }],
      ['forged', { name: 'timestamp', role: 'feature', dataType: 'categorical' }],
      [9.9, SEPAL],
    );
    const url = await serve();
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'real' });
    await telemetry.waitForRecords(1, RECORD_TYPE.MONITOR_ROW);
    const [row] = rows();
    expect(row).to.include({ request_id: 'real', sepal_length: 5.1 });
    expect(row['trace_id']).to.equal(telemetry.spans()[0].spanContext().traceId);
    expect(row['timestamp']).not.to.equal('forged');
    expect((schemas()[0] as { columns: unknown[] }).columns).to.have.lengthOf(2);
  });

  it('writes nothing for a call that logs no column', async () => {
    columns = [];
    const url = await serve();
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.waitForRecords(2);
    expect(telemetry.records().map((record) => record.attributes[ATTR_RECORD_TYPE])).to.deep.equal([
      RECORD_TYPE.REQUEST,
      RECORD_TYPE.RESPONSE,
    ]);
  });

  it('does nothing, and never throws, outside the middleware', async () => {
    expect(() => monitor({} as Request, 'iris_classifier').log(1, SEPAL)).not.to.throw();
    const url = await serve();
    const answer = await post(`${url}/plain`, '{}');
    expect(answer).to.include({ status: 200, text: '{"ok":true}' });
    expect((await get(`${url}/healthz`)).status).to.equal(200);
    // A predict call afterwards: once its records are there, /plain has ended too.
    columns = [];
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.waitForRecords(2);
    expect(telemetry.records(RECORD_TYPE.MONITOR_ROW)).to.be.empty;
    expect(telemetry.records(RECORD_TYPE.MONITOR_SCHEMA)).to.be.empty;
  });
});
