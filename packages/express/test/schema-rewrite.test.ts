/** A monitor's schema record lost on its way (a failed export, a full queue, a pruned file) is written again. */
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { LogRecord, Logger } from '@opentelemetry/api-logs';
import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceTelemetry } from '../src/middleware.js';
import { inferenceTelemetry } from '../src/middleware.js';
import type { ColumnOptions } from '../src/monitor.js';
import { monitor } from '../src/monitor.js';
import { MonitorRecords } from '../src/records.js';
import { ATTR_MONITOR_NAME, ATTR_RECORD_TYPE, RECORD_TYPE } from '../src/semconv.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { IRIS_ANSWER, IRIS_BODY, kserveApp, post, useRecordedWarnings, useServers } from './in-memory-telemetry.js';

const SEPAL: ColumnOptions = { name: 'sepal_length', role: 'feature', dataType: 'numerical' };
const PRED: ColumnOptions = { name: 'pred', role: 'prediction', dataType: 'categorical' };

/** Serves an app through `telemetry`; the function returned makes a call that logs `columns` (SEPAL by default) to monitor `name`. */
async function callsLogging(
  servers: ReturnType<typeof useServers>,
  telemetry: InferenceTelemetry,
): Promise<(name: string, columns?: ColumnOptions[]) => Promise<void>> {
  let next: { name: string; columns: ColumnOptions[] } = { name: '', columns: [] };
  const url = await servers.start(
    kserveApp(telemetry, {
      predict: (req, res) => {
        const mon = monitor(req, next.name);
        for (const column of next.columns) mon.log(1, column);
        res.send(IRIS_ANSWER);
      },
    }),
  );
  return async (name, columns = [SEPAL]) => {
    next = { name, columns };
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
  };
}

describe('a lost monitor schema is written again', () => {
  useRecordedWarnings();
  describe('over OTLP', () => {
    const servers = useServers();
    let telemetry: InferenceTelemetry | undefined;
    afterEach(async () => {
      await telemetry?.shutdown();
      telemetry = undefined;
    });
    // After the shutdown hook: the last export still finds the receiver open.
    const receiver = useOtlpReceiver({ per: 'test' });

    /** Own providers sending logs to the receiver; batches wait for a flush, so each test decides what one holds. */
    function toReceiver(options: InferenceTelemetryOptions = {}): InferenceTelemetry {
      telemetry = inferenceTelemetry({
        otlp: { logsEndpoint: receiver().urlFor('logs') },
        fileSink: { enabled: false },
        payloadSampleRate: 0,
        ...options,
        queue: { scheduledDelayMillis: 60_000, ...options.queue },
      });
      return telemetry;
    }

    /** The monitors whose schema the receiver accepted, once per schema record. */
    const schemasReceived = (): unknown[] =>
      receiver()
        .logRecords()
        .filter((record) => record.attributes[ATTR_RECORD_TYPE] === RECORD_TYPE.MONITOR_SCHEMA)
        .map((record) => record.attributes[ATTR_MONITOR_NAME]);

    it('after an export that failed: the next export carries the schema again', async () => {
      const middleware = toReceiver();
      const call = await callsLogging(servers, middleware);
      receiver().respond = 400;
      await call('iris');
      await middleware.forceFlush();
      receiver().respond = 'ok';
      await call('iris');
      await call('iris');
      await middleware.forceFlush();
      expect(schemasReceived()).to.deep.equal(['iris']);
    });

    it('after the queue dropped it: the next row of the monitor comes with it', async () => {
      // Room for two records, while the first batch waits for its slow answer.
      receiver().delayMs = 1000;
      const middleware = toReceiver({ queue: { maxQueueSize: 2 } });
      const call = await callsLogging(servers, middleware);
      await call('other');
      await call('other');
      await call('other');
      // The queue is full: this schema and row are dropped.
      await call('iris');
      await middleware.forceFlush();
      receiver().delayMs = 0;
      await call('iris');
      await middleware.forceFlush();
      expect(schemasReceived()).to.deep.equal(['other', 'iris']);
      const irisRows = receiver()
        .logRecords()
        .filter((record) => record.attributes[ATTR_RECORD_TYPE] === RECORD_TYPE.MONITOR_ROW)
        .filter((record) => record.attributes[ATTR_MONITOR_NAME] === 'iris');
      expect(irisRows, 'the rows of iris that were not dropped').to.have.lengthOf(1);
    });

    it('once per lost schema, not with every row', async () => {
      const middleware = toReceiver();
      const call = await callsLogging(servers, middleware);
      receiver().respond = 400;
      await call('iris');
      await call('iris', [SEPAL, PRED]);
      await middleware.forceFlush();
      receiver().respond = 'ok';
      for (let i = 0; i < 3; i++) {
        await call('iris');
        await call('iris', [SEPAL, PRED]);
      }
      await middleware.forceFlush();
      expect(schemasReceived()).to.deep.equal(['iris', 'iris']);
    });
  });

  it('after a log processor threw on it (providers of the application)', () => {
    const schemas: string[] = [];
    let refuseSchemas = true;
    const logger: Logger = {
      emit(record: LogRecord) {
        if (record.attributes?.[ATTR_RECORD_TYPE] !== RECORD_TYPE.MONITOR_SCHEMA) return;
        if (refuseSchemas) throw new Error('processor fault');
        schemas.push(record.body as string);
      },
      enabled: () => true,
    };
    const records = new MonitorRecords(logger);
    const write = (): void =>
      records.emit(new Map([['m', [{ ...SEPAL, value: 1 }]]]), ROOT_CONTEXT, [1_700_000_000, 0], 'id', 'trace');
    expect(write).to.throw(/monitor records not written \(m\): processor fault/);
    refuseSchemas = false;
    write();
    write();
    expect(schemas).to.have.lengthOf(1);
  });

  describe('in the file sink', () => {
    const servers = useServers();
    let dir: string;
    const middlewares: InferenceTelemetry[] = [];
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'inferlens-schema-'));
    });
    afterEach(async () => {
      await Promise.all(middlewares.splice(0).map((middleware) => middleware.shutdown()));
      await rm(dir, { recursive: true, force: true });
    });

    /** A middleware writing files under `dir`, each line a file of its own; the function returned makes a call to monitor `iris` and waits for its lines. */
    async function writer(maxFiles = 10): Promise<(columns?: ColumnOptions[]) => Promise<void>> {
      const middleware = inferenceTelemetry({
        fileSink: { directory: dir, maxFileBytes: 1, maxFiles },
        payloadSampleRate: 0,
      });
      middlewares.push(middleware);
      const call = await callsLogging(servers, middleware);
      return async (columns) => {
        await call('iris', columns);
        await middleware.forceFlush();
      };
    }

    /** The column names of each schema in the monitor's schema folder. */
    async function schemasOnDisk(): Promise<string[][]> {
      const folder = join(dir, 'iris', 'schema');
      const names = await readdir(folder).catch(() => [] as string[]);
      const texts = await Promise.all(names.map((name) => readFile(join(folder, name), 'utf8')));
      return texts
        .flatMap((text) => text.split('\n').filter((line) => line !== ''))
        .map((line) => (JSON.parse(line) as { columns: { name: string }[] }).columns.map(({ name }) => name));
    }

    it('after the monitor folder was removed (old logs cleaned away)', async () => {
      const call = await writer();
      await call();
      await rm(join(dir, 'iris'), { recursive: true });
      await call();
      await call();
      expect(await schemasOnDisk()).to.deep.equal([['sepal_length']]);
    });

    it("after another writer's retention pruned the only file that had it", async () => {
      const a = await writer(1);
      const b = await writer(1);
      await a([SEPAL, PRED]);
      // b's schema file takes the folder's one place: a's is deleted.
      await b();
      expect(await schemasOnDisk()).to.deep.equal([['sepal_length']]);
      // a's row starts a new data file, and its next row writes its schema again.
      await a([SEPAL, PRED]);
      await a([SEPAL, PRED]);
      expect(await schemasOnDisk()).to.deep.include(['sepal_length', 'pred']);
    });
  });
});
