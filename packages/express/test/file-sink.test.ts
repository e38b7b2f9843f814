import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BatchExportResult } from '../src/export/bounded-queue.js';
import { FileLogRecordExporter } from '../src/file-sink/file-log-exporter.js';
import { RotatingJsonLinesFile } from '../src/file-sink/rotating-file.js';
import { sleep } from './export-helpers.js';
import {
  ATTR_MONITOR_NAME,
  ATTR_PAYLOAD_TRUNCATED,
  ATTR_RECORD_TYPE,
  PAYLOAD_MONITOR_NAME,
  RECORD_TYPE,
} from '../src/semconv.js';

const execFileAsync = promisify(execFile);
/** The module under test, for a child process to import. */
const ROTATING_FILE_MODULE = new URL('../src/file-sink/rotating-file.ts', import.meta.url).href;

/** Runs `script` as an ES module in a child Node, first setting the shell's `ulimit` given, and parses what it prints. */
async function childOutput(script: string, ulimit?: string): Promise<unknown> {
  const node = 'exec "$0" --import tsx --input-type=module -e "$1"';
  const command = ulimit === undefined ? node : `ulimit ${ulimit} && ${node}`;
  const { stdout } = await execFileAsync('sh', ['-c', command, process.execPath, script]);
  return JSON.parse(stdout) as unknown;
}

/** ReadableLogRecords as the SDK makes them: emitted through a real provider into memory. */
async function records(...logs: LogRecord[]): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  for (const log of logs) provider.getLogger('test').emit(log);
  const emitted = memory.getFinishedLogRecords();
  await provider.shutdown();
  return emitted;
}

function exportAll(exporter: FileLogRecordExporter, logs: ReadableLogRecord[]): Promise<BatchExportResult> {
  return new Promise((done) => exporter.export(logs, done));
}

async function jsonLines(path: string): Promise<any[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).to.equal(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line));
}

const row = (monitor: string, value: object): LogRecord => ({
  body: JSON.stringify(value),
  attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW, [ATTR_MONITOR_NAME]: monitor },
});

/**
 * Runs `action` with the process in time zone `zone` (Node resets its zone
 * when `process.env.TZ` is assigned), then puts the zone back.
 */
async function withTimeZone(zone: string, action: () => Promise<void>): Promise<void> {
  const saved = process.env['TZ'];
  process.env['TZ'] = zone;
  try {
    await action();
  } finally {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  }
}

describe('file sink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inferlens-file-sink-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('FileLogRecordExporter', () => {
    it('routes payloads, rows and schemas to BentoML-style data and schema files', async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      const logs = await records(
        {
          // The record's own time (a request record's arrival), not when the SDK saw it.
          timestamp: Date.parse('2026-01-02T03:04:05.678Z'),
          severityText: 'INFO',
          body: '{"instances":[[1,2]]}',
          attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.REQUEST, 'inference.request.id': 'r1' },
        },
        row('iris', { sepal: 5.1, prediction: 'setosa' }),
        {
          body: '[{"name":"sepal","role":"feature","type":"numerical"}]',
          attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_SCHEMA, [ATTR_MONITOR_NAME]: 'iris' },
        },
        { severityNumber: SeverityNumber.WARN, body: '{"predictions":[0]}', attributes: {} },
        row('iris', { sepal: 4.9, prediction: 'versicolor' }),
      );
      expect(await exportAll(exporter, logs)).to.deep.equal({ code: ExportResultCode.SUCCESS });

      expect((await readdir(dir)).sort()).to.deep.equal(['inference_payloads', 'iris']);
      expect(await readdir(join(dir, 'iris'))).to.have.members(['data', 'schema']);
      expect(await jsonLines(join(dir, 'iris', 'data', 'data.1.log'))).to.deep.equal([
        { sepal: 5.1, prediction: 'setosa' },
        { sepal: 4.9, prediction: 'versicolor' },
      ]);
      expect(await jsonLines(join(dir, 'iris', 'schema', 'schema.1.log'))).to.deep.equal([
        [{ name: 'sepal', role: 'feature', type: 'numerical' }],
      ]);
      const [request, untyped] = await jsonLines(join(dir, PAYLOAD_MONITOR_NAME, 'data', 'data.1.log'));
      expect(Object.keys(request)).to.deep.equal([
        'timestamp',
        'severity',
        'trace_id',
        'span_id',
        'attributes',
        'body',
      ]);
      expect(request.timestamp).to.equal('2026-01-02T03:04:05.678Z');
      expect(request).to.deep.include({ severity: 'INFO', trace_id: null, span_id: null });
      expect(request.attributes).to.deep.equal({ [ATTR_RECORD_TYPE]: 'request', 'inference.request.id': 'r1' });
      expect(request.body).to.deep.equal({ instances: [[1, 2]] });
      expect(untyped).to.deep.include({ severity: 'WARN', body: { predictions: [0] } });
    });

    it('writes payload bodies as JSON where they parse and as strings where not', async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      const payload = (body: string, truncated = false): LogRecord => ({
        body,
        attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.RESPONSE, [ATTR_PAYLOAD_TRUNCATED]: truncated },
      });
      const logs = await records(
        payload('{\n  "id": 12345678901234567890\n}'),
        payload('not json'),
        payload('12', true),
        payload('{"outputs": [1, 2', true),
        // The server's NaN and Infinity in tensor data: the file's lines stay strict JSON.
        payload('{"predictions":[NaN,-Infinity]}'),
      );
      expect((await exportAll(exporter, logs)).code).to.equal(ExportResultCode.SUCCESS);
      const path = join(dir, PAYLOAD_MONITOR_NAME, 'data', 'data.1.log');
      const bodies = (await jsonLines(path)).map((line) => line.body);
      expect(bodies).to.deep.equal([
        { id: 12345678901234567890 },
        'not json',
        '12',
        '{"outputs": [1, 2',
        '{"predictions":[NaN,-Infinity]}',
      ]);
      // The text is kept, not re-serialized: the integer keeps all its digits.
      expect(await readFile(path, 'utf8')).to.include('"body":{   "id": 12345678901234567890 }}');
    });

    it('writes each record on one line, carriage returns too, and a record without a body with a null one', async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      const logs = await records(
        row('m', { a: 1 }),
        {
          body: '{\r"a":\r\n2}',
          attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW, [ATTR_MONITOR_NAME]: 'm' },
        },
        { attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.REQUEST } },
      );
      expect((await exportAll(exporter, logs)).code).to.equal(ExportResultCode.SUCCESS);
      const rows = join(dir, 'm', 'data', 'data.1.log');
      // Readers that take a lone carriage return for a line break (Python's text mode) would see three rows.
      expect(await readFile(rows, 'utf8')).not.to.include('\r');
      expect(await jsonLines(rows)).to.deep.equal([{ a: 1 }, { a: 2 }]);
      const [payload] = await jsonLines(join(dir, PAYLOAD_MONITOR_NAME, 'data', 'data.1.log'));
      expect(payload.body).to.equal(null);
    });

    it('counts every record as failed when one cannot be written as JSON at all', async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      const logs = await records(row('m', { a: 1 }), {
        body: circular as LogRecord['body'],
        attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW, [ATTR_MONITOR_NAME]: 'm' },
      });
      const result = await exportAll(exporter, logs);
      expect(result).to.deep.include({ code: ExportResultCode.FAILED, failedItems: 2 });
      expect(result.error).to.be.instanceOf(TypeError);
    });

    it('waits on shutdown for the writes of exports already made', async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      const written = exportAll(exporter, await records(row('m', { a: 1 })));
      await exporter.shutdown();
      expect(await jsonLines(join(dir, 'm', 'data', 'data.1.log'))).to.deep.equal([{ a: 1 }]);
      expect((await written).code).to.equal(ExportResultCode.SUCCESS);
    });

    it('writes rows that are not JSON objects as payload-style records instead of corrupting the table', async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      const logs = await records(
        { body: 'oops', attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW, [ATTR_MONITOR_NAME]: 'm' } },
        { body: '[1,2]', attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW, [ATTR_MONITOR_NAME]: 'm' } },
        { body: ['a'], attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW, [ATTR_MONITOR_NAME]: 'm' } },
        { body: 'null', attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW, [ATTR_MONITOR_NAME]: 'm' } },
        {
          body: new Uint8Array([1, 2]),
          attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW, [ATTR_MONITOR_NAME]: 'm' },
        },
        { body: '{"a":1}', attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW } },
      );
      expect((await exportAll(exporter, logs)).code).to.equal(ExportResultCode.SUCCESS);
      expect(await readdir(dir)).to.deep.equal([PAYLOAD_MONITOR_NAME]);
      const lines = await jsonLines(join(dir, PAYLOAD_MONITOR_NAME, 'data', 'data.1.log'));
      // The bytes' own form in the payload file is not this test's business, only that they are not a row.
      const bodies = lines.map((line) => line.body);
      expect(bodies).to.have.length(6);
      expect([...bodies.slice(0, 4), bodies[5]]).to.deep.equal(['oops', [1, 2], ['a'], null, { a: 1 }]);
    });

    it("keeps the payload folder to payload-style records, whatever monitor's folder it would be", async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      // The reserved name itself, one that becomes it as a folder name, and one a case-insensitive disk merges.
      const names = [PAYLOAD_MONITOR_NAME, 'inference payloads', 'Inference_Payloads'];
      const logs = await records(
        { body: '{"instances":[[1,2]]}', attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.REQUEST } },
        ...names.flatMap((name): LogRecord[] => [
          row(name, { name }),
          {
            body: '{"columns":[]}',
            attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_SCHEMA, [ATTR_MONITOR_NAME]: name },
          },
        ]),
      );
      expect((await exportAll(exporter, logs)).code).to.equal(ExportResultCode.SUCCESS);
      const lines = await jsonLines(join(dir, PAYLOAD_MONITOR_NAME, 'data', 'data.1.log'));
      for (const line of lines)
        expect(line).to.have.keys('timestamp', 'severity', 'trace_id', 'span_id', 'attributes', 'body');
      expect(lines.map((line) => [line.attributes[ATTR_MONITOR_NAME], line.body])).to.deep.equal([
        [undefined, { instances: [[1, 2]] }],
        ...names.flatMap((name) => [
          [name, { name }],
          [name, { columns: [] }],
        ]),
      ]);
      expect(await readdir(dir)).to.deep.equal([PAYLOAD_MONITOR_NAME]);
      expect(await readdir(join(dir, PAYLOAD_MONITOR_NAME))).to.deep.equal(['data']);
    });

    it('keeps monitor names inside the directory', async () => {
      const exporter = new FileLogRecordExporter({ directory: join(dir, 'monitoring') });
      const names = ['../evil', '..', '.', '', 'a/../../b', 'c\\..\\d', '/abs'];
      const logs = await records(...names.map((name) => row(name, { name })));
      expect((await exportAll(exporter, logs)).code).to.equal(ExportResultCode.SUCCESS);
      expect(await readdir(dir)).to.deep.equal(['monitoring']);
      const folders = await readdir(join(dir, 'monitoring'));
      expect(folders).to.have.members(['___evil', '__', '_', 'a_.._.._b', 'c_.._d', '_abs']);
      for (const folder of folders) {
        expect(await readdir(join(dir, 'monitoring', folder, 'data'))).to.deep.equal(['data.1.log']);
      }
    });

    it('writes the rows of monitors whose names are longer than a folder name may be', async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      // 300 one-byte and 100 three-byte characters: past the 255 bytes a file system allows a name.
      const names = ['a'.repeat(300), '監'.repeat(100)];
      const logs = await records(...names.map((name, n) => row(name, { n })));
      expect((await exportAll(exporter, logs)).code).to.equal(ExportResultCode.SUCCESS);
      const folders = await readdir(dir);
      expect(folders).to.have.members(['a'.repeat(255), '監'.repeat(85)]);
      for (const [n, folder] of folders.entries()) {
        expect(await jsonLines(join(dir, folder, 'data', 'data.1.log'))).to.have.length(1, `${n}`);
      }
    });

    it('calls back FAILED, without throwing, when the directory cannot be written', async () => {
      const blocker = join(dir, 'file');
      await writeFile(blocker, '');
      const exporter = new FileLogRecordExporter({ directory: join(blocker, 'monitoring') });
      const result = await exportAll(exporter, await records(row('m', { a: 1 })));
      expect(result.code).to.equal(ExportResultCode.FAILED);
      expect(result.error).to.be.instanceOf(Error);
      await exporter.forceFlush();
    });

    it('counts as failed only the records of the files it could not write, and writes the others', async () => {
      // Files where monitors `blocked` and `shut` need their folders: their rows cannot be written.
      await writeFile(join(dir, 'blocked'), '');
      const exporter = new FileLogRecordExporter({ directory: dir });
      const payload = { body: '{"instances":[[1]]}', attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.REQUEST } };
      await writeFile(join(dir, 'shut'), '');
      const logs = await records(
        payload,
        row('blocked', { a: 1 }),
        row('open', { b: 2 }),
        row('blocked', { a: 3 }),
        row('shut', { c: 4 }),
      );
      const result = await exportAll(exporter, logs);
      expect(result.code).to.equal(ExportResultCode.FAILED);
      expect(result.failedItems).to.equal(3);
      // The first error, of the first file that failed.
      expect(result.error?.message).to.include(join(dir, 'blocked'));
      expect(await jsonLines(join(dir, 'open', 'data', 'data.1.log'))).to.deep.equal([{ b: 2 }]);
      expect(await jsonLines(join(dir, PAYLOAD_MONITOR_NAME, 'data', 'data.1.log'))).to.have.length(1);
    });

    it("says a monitor's schema is due again once its rows start a new file, not for their first", async () => {
      let now = new Date('2026-01-01T23:59:00Z');
      const due: string[] = [];
      const exporter = new FileLogRecordExporter({ directory: dir, now: () => now }, (monitor) => due.push(monitor));
      await exportAll(exporter, await records(row('iris', { x: 1 }), row('other', { x: 1 })));
      await exportAll(exporter, await records(row('iris', { x: 2 })));
      expect(due).to.deep.equal([]);
      now = new Date('2026-01-02T00:00:01Z');
      await exportAll(exporter, await records(row('iris', { x: 3 })));
      expect(due).to.deep.equal(['iris']);
      expect(await readdir(join(dir, 'iris', 'data'))).to.have.members(['data.1.log', 'data.2.log']);
    });

    it('works behind a LoggerProvider with a SimpleLogRecordProcessor', async () => {
      const exporter = new FileLogRecordExporter({ directory: dir });
      const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
      const spanContext = {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.SAMPLED,
      };
      const logger = provider.getLogger('t');
      logger.emit({
        context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
        severityText: 'INFO',
        body: '{"x":1}',
        attributes: { [ATTR_RECORD_TYPE]: RECORD_TYPE.REQUEST },
      });
      logger.emit(row('iris', { x: 1 }));
      // The simple processor's forceFlush does not reach the exporter; the exporter's own does.
      await provider.forceFlush();
      await exporter.forceFlush();
      const [request] = await jsonLines(join(dir, PAYLOAD_MONITOR_NAME, 'data', 'data.1.log'));
      expect(request).to.deep.include({ trace_id: spanContext.traceId, span_id: spanContext.spanId, body: { x: 1 } });
      expect(await jsonLines(join(dir, 'iris', 'data', 'data.1.log'))).to.deep.equal([{ x: 1 }]);

      await provider.shutdown();
      const late = await exportAll(exporter, await records(row('iris', { x: 2 })));
      expect(late.code).to.equal(ExportResultCode.FAILED);
      expect(await jsonLines(join(dir, 'iris', 'data', 'data.1.log'))).to.deep.equal([{ x: 1 }]);
    });
  });

  describe('RotatingJsonLinesFile', () => {
    const line = (n: number) => JSON.stringify({ n: String(n).padStart(3, '0') });
    const lineBytes = line(0).length + 1;

    it('rotates by size, keeping each file within maxFileBytes', async () => {
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: lineBytes * 3 });
      expect(await file.append([0, 1, 2, 3].map(line))).to.equal(undefined);
      expect(await file.append([4, 5, 6].map(line))).to.equal(undefined);
      expect((await readdir(dir)).sort()).to.deep.equal(['data.1.log', 'data.2.log', 'data.3.log']);
      expect(await jsonLines(join(dir, 'data.1.log'))).to.have.length(3);
      expect(await jsonLines(join(dir, 'data.2.log'))).to.have.length(3);
      expect(await jsonLines(join(dir, 'data.3.log'))).to.deep.equal([{ n: '006' }]);
    });

    it('counts maxFileBytes in bytes, not characters', async () => {
      // 12 characters, 30 bytes of UTF-8: two lines fit 40 characters but not 40 bytes.
      const wide = JSON.stringify('監'.repeat(10));
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: 40 });
      expect(await file.append([wide, wide])).to.equal(undefined);
      expect((await readdir(dir)).sort()).to.deep.equal(['data.1.log', 'data.2.log']);
    });

    it('gives a line longer than maxFileBytes a file of its own', async () => {
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: 4 });
      expect(await file.append([line(0), line(1)])).to.equal(undefined);
      expect((await readdir(dir)).sort()).to.deep.equal(['data.1.log', 'data.2.log']);
    });

    it('rotates when the UTC day changes, whatever the local zone', async () => {
      // Row timestamps are UTC, so a file holds one UTC day. In a zone behind UTC and in one ahead of it,
      // the first two instants (one UTC day) fall on two local days, and the next two (two UTC days) on one.
      const instants = ['2025-01-01T00:10Z', '2025-01-01T23:50Z', '2025-01-02T00:30Z', '2025-02-02T12:00Z'];
      const zones = ['UTC', 'America/New_York', 'Asia/Tokyo'];
      const linesPerFile: Record<string, number[]> = {};
      for (const zone of zones) {
        const folder = join(dir, zone.replace('/', '_'));
        let now = new Date(0);
        const file = new RotatingJsonLinesFile(folder, 'schema', { now: () => now });
        await withTimeZone(zone, async () => {
          for (const [n, instant] of instants.entries()) {
            now = new Date(instant);
            await file.append([line(n)]);
          }
        });
        const names = (await readdir(folder)).sort();
        linesPerFile[zone] = await Promise.all(names.map(async (name) => (await jsonLines(join(folder, name))).length));
      }
      expect(linesPerFile).to.deep.equal(Object.fromEntries(zones.map((zone) => [zone, [2, 1, 1]])));
    });

    it('counts as unwritten only the lines after the file that failed, when an append spans files', async () => {
      // A name one character longer than `<prefix>.9.log` is too long for the file system: file 10 cannot be made.
      const prefix = 'd'.repeat(255 - '.9.log'.length);
      await writeFile(join(dir, `${prefix}.8.log`), '');
      const file = new RotatingJsonLinesFile(dir, prefix, { maxFileBytes: lineBytes * 3 });
      const failure = await file.append([0, 1, 2, 3, 4].map(line));
      expect(failure?.error).to.be.instanceOf(Error).with.property('code', 'ENAMETOOLONG');
      expect(failure?.unwritten).to.equal(2);
      expect(await jsonLines(join(dir, `${prefix}.9.log`))).to.deep.equal([{ n: '000' }, { n: '001' }, { n: '002' }]);
    });

    it('leaves whole lines when a write is cut short, as by a full disk, and writes on once it can', async () => {
      // A process whose files may not pass one block of the file size limit: a longer write
      // lands in part, then fails with EFBIG, as one fails with ENOSPC on a disk that fills.
      const script = `
        const { RotatingJsonLinesFile } = await import(${JSON.stringify(ROTATING_FILE_MODULE)});
        const file = new RotatingJsonLinesFile(${JSON.stringify(dir)}, 'data');
        const codes = [];
        for (const line of ${JSON.stringify([line(0), JSON.stringify({ n: 'x'.repeat(4096) }), line(2)])}) {
          codes.push((await file.append([line]))?.error.code ?? null);
        }
        console.log(JSON.stringify(codes));
      `;
      expect(await childOutput(script, '-S -f 1')).to.deep.equal([null, 'EFBIG', null]);
      expect(await readdir(dir)).to.deep.equal(['data.1.log']);
      expect(await jsonLines(join(dir, 'data.1.log'))).to.deep.equal([{ n: '000' }, { n: '002' }]);
    });

    it('writes the files of hundreds of monitors at once within a small file descriptor limit', async () => {
      // Files appended to all at once would each hold a descriptor; the process may have 128 (Node needs ~40).
      const script = `
        const { RotatingJsonLinesFile } = await import(${JSON.stringify(ROTATING_FILE_MODULE)});
        const files = Array.from({ length: 500 }, (_, n) => new RotatingJsonLinesFile(${JSON.stringify(dir)} + '/' + n, 'data'));
        const failures = await Promise.all(files.map((file, n) => file.append([JSON.stringify({ n })])));
        console.log(JSON.stringify(failures.filter((failure) => failure !== undefined).length));
      `;
      expect(await childOutput(script, '-n 128')).to.equal(0);
      expect(await jsonLines(join(dir, '499', 'data.1.log'))).to.deep.equal([{ n: 499 }]);
    });

    it('keeps only the newest maxFiles files', async () => {
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: 1, maxFiles: 3 });
      for (let n = 0; n < 6; n++) expect(await file.append([line(n)])).to.equal(undefined);
      await writeFile(join(dir, 'other.1.log'), '');
      await file.append([line(6)]);
      expect((await readdir(dir)).sort()).to.deep.equal(['data.5.log', 'data.6.log', 'data.7.log', 'other.1.log']);
      expect(await jsonLines(join(dir, 'data.7.log'))).to.deep.equal([{ n: '006' }]);
    });

    it('prunes files written in the same millisecond lowest number first', async () => {
      // Created out of order, and listed by name or by hash (`data.10.log` before `data.2.log`), not by number.
      const written = new Date('2025-01-01T00:00:00Z');
      for (const n of [4, 11, 1, 6, 10, 2, 9, 5, 3, 8, 7]) {
        await writeFile(join(dir, `data.${n}.log`), `${line(n)}\n`);
        await utimes(join(dir, `data.${n}.log`), written, written);
      }
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFiles: 3 });
      expect(await file.append([line(12)])).to.equal(undefined);
      expect((await readdir(dir)).sort()).to.deep.equal(['data.10.log', 'data.11.log', 'data.12.log']);
    });

    it('never prunes its current file when older files look newer, as after the clock is set back', async () => {
      const future = new Date(Date.now() + 24 * 60 * 60 * 1000);
      for (const n of [1, 2, 3]) {
        await writeFile(join(dir, `data.${n}.log`), `${line(n)}\n`);
        await utimes(join(dir, `data.${n}.log`), future, future);
      }
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFiles: 2 });
      expect(await file.append([line(4)])).to.equal(undefined);
      expect(await jsonLines(join(dir, 'data.4.log'))).to.deep.equal([{ n: '004' }]);
      expect((await readdir(dir)).sort()).to.deep.equal(['data.2.log', 'data.3.log', 'data.4.log']);
    });

    describe('sharing the folder with another writer (another process)', () => {
      /** Appends one line, then lets the clock move so that files written later are newer. */
      const write = async (file: RotatingJsonLinesFile, n: number): Promise<void> => {
        expect(await file.append([line(n)])).to.equal(undefined);
        await sleep(5);
      };
      const contents = async (): Promise<string[][]> => {
        const names = await readdir(dir);
        return Promise.all(names.map(async (name) => (await jsonLines(join(dir, name))).map((entry) => entry.n)));
      };

      it('never writes into its files: each new file is claimed', async () => {
        const options = { maxFileBytes: 1, maxFiles: 100 };
        const a = new RotatingJsonLinesFile(dir, 'data', options);
        const b = new RotatingJsonLinesFile(dir, 'data', options);
        for (const [file, n] of [
          [a, 0],
          [b, 100],
          [a, 1],
          [b, 101],
          [a, 2],
        ] as const)
          await write(file, n);
        const files = await contents();
        expect(files.map((lines) => lines.length)).to.deep.equal([1, 1, 1, 1, 1]);
        expect(files.flat().sort()).to.deep.equal(['000', '001', '002', '100', '101']);
      });

      it('prunes alongside it, neither failing on a file the other deleted first', async () => {
        const old = new Date('2025-01-01T00:00:00Z');
        for (let n = 1; n <= 100; n++) {
          await writeFile(join(dir, `data.${n}.log`), '');
          await utimes(join(dir, `data.${n}.log`), old, old);
        }
        const [a, b] = [0, 1].map(() => new RotatingJsonLinesFile(dir, 'data', { maxFiles: 2 }));
        expect(await Promise.all([a.append([line(0)]), b.append([line(1)])])).to.deep.equal([undefined, undefined]);
        expect((await contents()).flat().sort()).to.deep.equal(['000', '001']);
      });

      it('never prunes its current file, though the number is older: the least recently written go', async () => {
        const a = new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: 1, maxFiles: 3 });
        const b = new RotatingJsonLinesFile(dir, 'data', { maxFiles: 3 });
        for (const [file, n] of [
          [b, 100],
          [a, 0],
          [a, 1],
          [b, 101],
          [a, 2],
          [a, 3],
        ] as const)
          await write(file, n);
        const files = await contents();
        expect(files).to.have.deep.members([['100', '101'], ['002'], ['003']]);
      });
    });

    it('moves past the highest number when another writer has taken the next one', async () => {
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: 1, maxFiles: 100 });
      expect(await file.append([line(0)])).to.equal(undefined);
      // Another writer made files 2 and 5 since: this one goes after 5, not into the gap.
      for (const n of [2, 5]) await writeFile(join(dir, `data.${n}.log`), '');
      expect(await file.append([line(1)])).to.equal(undefined);
      expect((await readdir(dir)).sort()).to.deep.equal(['data.1.log', 'data.2.log', 'data.5.log', 'data.6.log']);
      expect(await jsonLines(join(dir, 'data.6.log'))).to.deep.equal([{ n: '001' }]);
    });

    it("counts only its own prefix, taken literally, among the folder's files", async () => {
      // As a pattern, the dot of `v1.0` would match the `x` of another prefix's file.
      await writeFile(join(dir, 'v1x0.7.log'), '');
      expect(await new RotatingJsonLinesFile(dir, 'v1.0').append([line(0)])).to.equal(undefined);
      expect((await readdir(dir)).sort()).to.deep.equal(['v1.0.1.log', 'v1x0.7.log']);
    });

    it('makes neither folder nor file for an empty append', async () => {
      const target = join(dir, 'sub');
      expect(await new RotatingJsonLinesFile(target, 'data').append([])).to.equal(undefined);
      expect(await readdir(dir)).to.deep.equal([]);
    });

    it('continues after the highest existing number on restart', async () => {
      await new RotatingJsonLinesFile(dir, 'data').append([line(0)]);
      await writeFile(join(dir, 'data.9.log'), `${line(9)}\n`);
      await new RotatingJsonLinesFile(dir, 'data').append([line(10)]);
      expect((await readdir(dir)).sort()).to.deep.equal(['data.1.log', 'data.10.log', 'data.9.log']);
      expect(await jsonLines(join(dir, 'data.1.log'))).to.deep.equal([{ n: '000' }]);
      expect(await jsonLines(join(dir, 'data.10.log'))).to.deep.equal([{ n: '010' }]);
    });

    it('neither counts nor follows files whose numbers it would not write: leading zeros, past 2^53', async () => {
      // 10^20 + 1 is 10^20 as a double: taken for one of its own, the next number would never change.
      const foreign = ['data.01.log', 'data.99999999999999999999.log'];
      for (const name of foreign) await writeFile(join(dir, name), '');
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: 1, maxFiles: 1 });
      for (let n = 0; n < 3; n++) expect(await file.append([line(n)])).to.equal(undefined);
      expect((await readdir(dir)).sort()).to.deep.equal([...foreign, 'data.3.log'].sort());
    });

    it('serializes concurrent appends in call order', async () => {
      const file = new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: lineBytes * 7 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) => file.append([line(2 * n), line(2 * n + 1)])),
      );
      expect(results.every((result) => result === undefined)).to.equal(true);
      const names = (await readdir(dir)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
      const all = (await Promise.all(names.map((name) => jsonLines(join(dir, name))))).flat();
      expect(all.map((entry) => Number(entry.n))).to.deep.equal(Array.from({ length: 40 }, (_, n) => n));
    });

    it('makes its folder again when it was removed between appends, losing no line', async () => {
      const target = join(dir, 'sub');
      const file = new RotatingJsonLinesFile(target, 'data', { maxFileBytes: lineBytes * 2 });
      expect(await file.append([line(0)])).to.equal(undefined);
      await rm(target, { recursive: true });
      // The file it was writing is gone with its folder (old logs cleaned away): the lines go to a new one.
      expect(await file.append([line(1), line(2), line(3)])).to.equal(undefined);
      expect((await readdir(target)).sort()).to.deep.equal(['data.1.log', 'data.2.log']);
      expect(await jsonLines(join(target, 'data.1.log'))).to.deep.equal([{ n: '001' }, { n: '002' }]);
      expect(await jsonLines(join(target, 'data.2.log'))).to.deep.equal([{ n: '003' }]);
    });

    it('writes no line twice when its folder is removed in the middle of an append that spans files', async () => {
      // The folder goes just as the append's second file is made: the lines of its first went with it.
      const script = `
        const fs = (await import('node:fs/promises')).default;
        const { syncBuiltinESMExports } = await import('node:module');
        const open = fs.open;
        let removed = false;
        fs.open = async (path, flags) => {
          if (!removed && flags === 'wx' && String(path).endsWith('data.2.log')) {
            removed = true;
            await fs.rm(${JSON.stringify(dir)}, { recursive: true });
          }
          return open(path, flags);
        };
        syncBuiltinESMExports();
        const { RotatingJsonLinesFile } = await import(${JSON.stringify(ROTATING_FILE_MODULE)});
        const file = new RotatingJsonLinesFile(${JSON.stringify(dir)}, 'data', { maxFileBytes: ${lineBytes * 2} });
        const failure = await file.append(${JSON.stringify([0, 1, 2].map(line))});
        console.log(JSON.stringify({ removed, failure: failure?.error.message ?? null }));
      `;
      expect(await childOutput(script)).to.deep.equal({ removed: true, failure: null });
      expect(await readdir(dir)).to.deep.equal(['data.1.log']);
      expect(await jsonLines(join(dir, 'data.1.log'))).to.deep.equal([{ n: '002' }]);
    });

    it('resolves with the error instead of throwing, and recovers once writable', async () => {
      const target = join(dir, 'sub');
      await writeFile(target, '');
      const file = new RotatingJsonLinesFile(target, 'data');
      const failure = await file.append([line(0)]);
      expect(failure?.error).to.be.instanceOf(Error);
      expect(failure?.unwritten).to.equal(1);
      await rm(target);
      expect(await file.append([line(1)])).to.equal(undefined);
      expect(await jsonLines(join(target, 'data.1.log'))).to.deep.equal([{ n: '001' }]);
    });

    it('rejects options that cannot work', () => {
      expect(() => new RotatingJsonLinesFile(dir, 'data', { maxFiles: 0 })).to.throw(RangeError);
      expect(() => new RotatingJsonLinesFile(dir, 'data', { maxFileBytes: 0 })).to.throw(RangeError);
      expect(() => new FileLogRecordExporter({ directory: dir, maxFiles: 1.5 })).to.throw(RangeError);
    });
  });
});
