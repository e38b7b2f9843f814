import type { ErrorRequestHandler, Request, Response } from 'express';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { LogRecord, Logger } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { expect } from 'chai';
import express from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureErrors } from '../src/annotations.js';
import { openCallContext } from '../src/call-context.js';
import { inferenceTelemetry } from '../src/middleware.js';
import type { ColumnOptions } from '../src/monitor.js';
import { monitor } from '../src/monitor.js';
import { MonitorRecords } from '../src/records.js';
import { MAX_SCHEMAS_PER_MONITOR } from '../src/written-schemas.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import {
  ATTR_MONITOR_NAME,
  ATTR_RECORD_TYPE,
  ATTR_REQUEST_ID,
  METRIC_TELEMETRY_ERRORS,
  RECORD_TYPE,
} from '../src/semconv.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  get,
  globalOptions,
  kserveApp,
  pointsOf,
  post,
  useInMemoryTelemetry,
  useRecordedWarnings,
  useGlobalLoggerOnly,
  useServers,
} from './in-memory-telemetry.js';
import { until } from './export-helpers.js';

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

  async function serve(options: InferenceTelemetryOptions = {}): Promise<string> {
    const app = kserveApp(inferenceTelemetry(globalOptions(options)), {
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
    const record = await telemetry.waitForRecord(RECORD_TYPE.MONITOR_ROW);
    const { traceId, spanId } = span.spanContext();
    const [schema] = telemetry.records(RECORD_TYPE.MONITOR_SCHEMA);
    for (const [written, type] of [
      [record, RECORD_TYPE.MONITOR_ROW],
      [schema, RECORD_TYPE.MONITOR_SCHEMA],
    ] as const) {
      // Only what names the monitor and the call: the model, protocol and HTTP details stay on the span.
      expect(written.attributes).to.deep.equal({
        [ATTR_MONITOR_NAME]: 'iris_classifier',
        [ATTR_REQUEST_ID]: 'row-1',
        [ATTR_RECORD_TYPE]: type,
      });
      expect(written).to.include({ severityNumber: SeverityNumber.INFO, severityText: 'INFO' });
      expect(written.spanContext).to.include({ traceId, spanId });
      expect(hrTimeToMilliseconds(written.hrTime)).to.be.at.least(Math.floor(hrTimeToMilliseconds(span.endTime)));
    }
    const [row] = rows();
    expect(row).to.have.keys('timestamp', 'request_id', 'trace_id', 'sepal_length', 'pred');
    expect(row).to.include({ request_id: 'row-1', trace_id: traceId, sepal_length: 5.1, pred: 'versicolor' });
    expect(new Date(row['timestamp'] as string).toISOString()).to.equal(row['timestamp']);
  });

  it('writes the row of a call whose payload records are sampled out', async () => {
    const url = await serve({ payloadSampleRate: 0 });
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'unsampled' });
    await telemetry.waitForSpans();
    const record = await telemetry.waitForRecord(RECORD_TYPE.MONITOR_ROW);
    expect(record.attributes[ATTR_REQUEST_ID]).to.equal('unsampled');
    expect(telemetry.records(RECORD_TYPE.REQUEST)).to.deep.equal([]);
    expect(telemetry.records(RECORD_TYPE.RESPONSE)).to.deep.equal([]);
  });

  it('writes the row and schema whatever the logger mode', async () => {
    for (const mode of ['request', 'response'] as const) {
      const url = await serve({ mode });
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': mode });
    }
    await telemetry.waitForRecords(2, RECORD_TYPE.MONITOR_ROW);
    for (const type of [RECORD_TYPE.MONITOR_ROW, RECORD_TYPE.MONITOR_SCHEMA]) {
      const requestIds = telemetry.records(type).map((record) => record.attributes[ATTR_REQUEST_ID]);
      expect(requestIds, type).to.have.members(['request', 'response']);
    }
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

  it('writes the schema once per column set, whatever the order the columns were logged in', async () => {
    const url = await serve();
    const optional: [unknown, ColumnOptions] = [[0.1, 0.8, 0.1], SCORES];
    const calls: [unknown, ColumnOptions][][] = [
      [[5.1, SEPAL], ['versicolor', PRED], optional],
      [
        [5.1, SEPAL],
        ['versicolor', PRED],
      ],
      [optional, ['versicolor', PRED], [5.1, SEPAL]],
      [
        ['versicolor', PRED],
        [5.1, SEPAL],
      ],
      [[5.1, SEPAL], ['versicolor', PRED], optional],
    ];
    for (const [i, logged] of calls.entries()) {
      columns = logged;
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      await telemetry.waitForRecords(i + 1, RECORD_TYPE.MONITOR_ROW);
    }
    expect(
      schemas().map((schema) => (schema as { columns: { name: string }[] }).columns.map(({ name }) => name)),
    ).to.deep.equal([
      ['sepal_length', 'pred', 'scores'],
      ['sepal_length', 'pred'],
    ]);
  });

  it(`remembers at most ${MAX_SCHEMAS_PER_MONITOR} column sets per monitor, and writes the schema of any other each time`, () => {
    const bodies: string[] = [];
    const logger: Logger = {
      emit(record: LogRecord) {
        bodies.push(record.body as string);
      },
      enabled: () => true,
    };
    const records = new MonitorRecords(logger);
    const write = (column: string): void =>
      records.emit(
        new Map([['m', [{ ...SEPAL, name: column, value: 1 }]]]),
        ROOT_CONTEXT,
        [1_700_000_000, 0],
        'id',
        'trace',
      );
    const schemaCount = (): number => bodies.filter((body) => body.startsWith('{"columns"')).length;
    for (let i = 0; i < MAX_SCHEMAS_PER_MONITOR; i++) write(`c${i}`);
    for (let i = 0; i < MAX_SCHEMAS_PER_MONITOR; i++) write(`c${i}`);
    expect(schemaCount()).to.equal(MAX_SCHEMAS_PER_MONITOR);
    write('past');
    write('past');
    expect(schemaCount()).to.equal(MAX_SCHEMAS_PER_MONITOR + 2);
    write('c0');
    expect(schemaCount()).to.equal(MAX_SCHEMAS_PER_MONITOR + 2);
  });

  it('writes a column named like an object property (`__proto__`, `constructor`) into the row as any other', () => {
    const bodies: string[] = [];
    const logger: Logger = {
      emit(record: LogRecord) {
        bodies.push(record.body as string);
      },
      enabled: () => true,
    };
    const logged = ['__proto__', 'constructor'].map((name, value) => ({ ...SEPAL, name, value }));
    new MonitorRecords(logger).emit(new Map([['m', logged]]), ROOT_CONTEXT, [1_700_000_000, 0], 'id', 'trace');
    const row = JSON.parse(bodies.find((body) => !body.startsWith('{"columns"'))!) as Record<string, unknown>;
    expect(Object.entries(row).slice(3)).to.deep.equal([
      ['__proto__', 0],
      ['constructor', 1],
    ]);
  });

  it("writes BentoML's `target` role and custom roles and types into the schema as logged", async () => {
    columns = [
      ['setosa', { name: 'label', role: 'target', dataType: 'categorical' }],
      [[0.5, 0.25], { name: 'embedding', role: 'representation', dataType: 'vector' }],
    ];
    const url = await serve();
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.waitForRecords(1, RECORD_TYPE.MONITOR_ROW);
    const written = schemas() as { columns: unknown[] }[];
    expect(written).to.have.lengthOf(1);
    expect(written[0].columns).to.deep.equal([
      { name: 'label', role: 'target', type: 'categorical' },
      { name: 'embedding', role: 'representation', type: 'vector' },
    ]);
    expect(rows()[0])
      .to.include({ label: 'setosa' })
      .and.deep.include({ embedding: [0.5, 0.25] });
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

  it('refuses a column without string name, role and data type with a TypeError saying so', () => {
    const req = {} as Request;
    openCallContext(req, {} as Response);
    const mon = monitor(req, 'iris_classifier');
    const malformed: unknown[] = [undefined, { name: 'x' }, { name: 'x', role: 'feature', dataType: 3 }];
    for (const column of malformed) {
      expect(() => mon.log(1, column as ColumnOptions)).to.throw(
        TypeError,
        'monitor.log: the column must be { name, role, dataType }, each a string',
      );
    }
    expect(() => mon.log(1, SEPAL)).not.to.throw();
  });

  it("writes the row of a call whose handler logs and then fails, with the call's request id and trace id", async () => {
    const app = express();
    app.use(inferenceTelemetry(globalOptions()));
    app.post('/v1/models/:target', async (req) => {
      monitor(req, 'iris_classifier').log(5.1, SEPAL);
      await sleep(1);
      throw new Error('weights missing');
    });
    app.use(captureErrors());
    app.use(((error, _req, res, _next) => void res.status(500).json({ error: error.message })) as ErrorRequestHandler);
    const url = await servers.start(app);
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'failed' });
    expect(answer.status).to.equal(500);
    const [span] = await telemetry.waitForSpans();
    await telemetry.waitForRecord(RECORD_TYPE.MONITOR_ROW);
    expect(rows()[0]).to.include({ request_id: 'failed', trace_id: span.spanContext().traceId, sepal_length: 5.1 });
  });

  it('leaves out of the row what is logged once the call has ended', async () => {
    let logged!: () => void;
    const lateLogged = new Promise<void>((resolve) => (logged = resolve));
    const app = express();
    app.use(inferenceTelemetry(globalOptions()));
    app.post('/v1/models/:target', (req, res) => {
      const mon = monitor(req, 'iris_classifier');
      mon.log(5.1, SEPAL);
      res.json({ predictions: [1] });
      res.on('close', () =>
        setImmediate(() => {
          mon.log('versicolor', PRED);
          monitor(req, 'late').log(1, SEPAL);
          logged();
        }),
      );
    });
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await lateLogged;
    await telemetry.waitForRecord(RECORD_TYPE.MONITOR_ROW);
    expect(rows()[0]).to.have.keys('timestamp', 'request_id', 'trace_id', 'sepal_length');
    expect(telemetry.records(RECORD_TYPE.MONITOR_ROW)).to.have.lengthOf(1);
  });

  describe('values JSON does not write as they are', () => {
    const warnings = useRecordedWarnings();
    /** What the handler logs into the monitors other than `iris_classifier`, changed by a test between calls. */
    let others: [string, unknown, ColumnOptions][];

    beforeEach(() => {
      others = [];
    });

    async function serveMonitors(): Promise<string> {
      return servers.start(
        kserveApp(inferenceTelemetry(globalOptions()), {
          predict: (req, res) => {
            for (const [name, value, column] of others) monitor(req, name).log(value, column);
            monitor(req, 'iris_classifier').log(5.1, SEPAL);
            res.send(IRIS_ANSWER);
          },
        }),
      );
    }

    const rowOf = (name: string): Record<string, unknown> =>
      JSON.parse(
        telemetry.records(RECORD_TYPE.MONITOR_ROW).find((record) => record.attributes[ATTR_MONITOR_NAME] === name)
          ?.body as string,
      );
    const monitorsOf = (type: typeof RECORD_TYPE.MONITOR_ROW | typeof RECORD_TYPE.MONITOR_SCHEMA): unknown[] =>
      telemetry.records(type).map((record) => record.attributes[ATTR_MONITOR_NAME]);

    it('writes typed arrays and Buffers as arrays of numbers, BigInts as decimal strings', async () => {
      const column = (name: string): ColumnOptions => ({ name, role: 'prediction', dataType: 'numerical_sequence' });
      others = [
        ['tensors', new Float32Array([0.5, 0.25]), column('scores')],
        ['tensors', new BigInt64Array([2n ** 62n, -1n]), column('ids')],
        ['tensors', 2n ** 64n + 1n, column('big')],
        ['tensors', Buffer.from('ab'), column('bytes')],
        ['tensors', { nested: new Uint8Array([1, 2]) }, column('nested')],
      ];
      const url = await serveMonitors();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      await telemetry.waitForRecords(2, RECORD_TYPE.MONITOR_ROW);
      expect(rowOf('tensors')).to.deep.include({
        scores: [0.5, 0.25],
        ids: ['4611686018427387904', '-1'],
        big: '18446744073709551617',
        bytes: [97, 98],
        nested: { nested: [1, 2] },
      });
      expect(monitorsOf(RECORD_TYPE.MONITOR_SCHEMA)).to.have.members(['tensors', 'iris_classifier']);
    });

    it('writes a column logged as undefined, or as a function, as null, so the row has every column of its schema', async () => {
      others = [
        ['sparse', undefined, { name: 'missing', role: 'feature', dataType: 'numerical' }],
        ['sparse', () => 1, { name: 'callable', role: 'feature', dataType: 'categorical' }],
      ];
      const url = await serveMonitors();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      await telemetry.waitForRecords(2, RECORD_TYPE.MONITOR_ROW);
      expect(rowOf('sparse')).to.include({ missing: null, callable: null });
    });

    it("loses only the monitor whose row cannot be written, reports it, and writes that monitor's schema later", async () => {
      const circular: Record<string, unknown> = { a: 1 };
      circular['self'] = circular;
      others = [
        ['broken', circular, { name: 'obj', role: 'feature', dataType: 'categorical' }],
        ['broken', 1, { name: 'x', role: 'feature', dataType: 'numerical' }],
      ];
      const url = await serveMonitors();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      await telemetry.waitForRecords(1, RECORD_TYPE.MONITOR_ROW);
      expect(monitorsOf(RECORD_TYPE.MONITOR_ROW)).to.deep.equal(['iris_classifier']);
      expect(monitorsOf(RECORD_TYPE.MONITOR_SCHEMA)).to.deep.equal(['iris_classifier']);
      expect(rowOf('iris_classifier')).to.include({ sepal_length: 5.1 });
      expect(pointsOf(await telemetry.metric(METRIC_TELEMETRY_ERRORS))[0]?.value).to.equal(1);
      expect(warnings.messages).to.have.lengthOf(1);
      expect(warnings.messages[0]).to.include('broken');

      others[0][1] = { a: 2 };
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      await telemetry.waitForRecords(3, RECORD_TYPE.MONITOR_ROW);
      expect(monitorsOf(RECORD_TYPE.MONITOR_SCHEMA)).to.deep.equal(['iris_classifier', 'broken']);
      expect(rowOf('broken')).to.deep.include({ obj: { a: 2 }, x: 1 });
    });
  });
});

describe('monitor columns of a call with no trace (global providers, no tracer provider)', () => {
  const servers = useServers();
  const exporter = useGlobalLoggerOnly();

  it('writes the trace_id column as null rather than the all-zero id, which is no trace', async () => {
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      predict: (req, res) => {
        monitor(req, 'iris_classifier').log(5.1, SEPAL);
        res.send(IRIS_ANSWER);
      },
    });
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'untraced' });
    const rowRecords = () =>
      exporter
        .getFinishedLogRecords()
        .filter((record) => record.attributes[ATTR_RECORD_TYPE] === RECORD_TYPE.MONITOR_ROW);
    await until(() => rowRecords().length >= 1, 'the row');
    expect(JSON.parse(rowRecords()[0].body as string)).to.include({ request_id: 'untraced', trace_id: null });
  });
});
