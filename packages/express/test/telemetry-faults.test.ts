/**
 * How the OTLP log export counts and reports what a collector answers badly,
 * and waits for what it has yet to send, against a real receiver.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { expect } from 'chai';
import { BoundedExportQueue, exportBatchTo, exportQueueOptions } from '../src/export/bounded-queue.js';
import { protobufLogExporter } from '../src/export/otlp-protobuf/exporters.js';
import { recordingReporter } from './export-helpers.js';
import type { ScriptedCollector, ScriptedAnswer } from './support/scripted-collector.js';
import { protobufPartialSuccess, startScriptedCollector } from './support/scripted-collector.js';

const resource = resourceFromAttributes({ 'service.name': 'inferlens-test' });

function record(): ReadableLogRecord {
  return {
    hrTime: [1_763_800_000, 0],
    hrTimeObserved: [1_763_800_000, 0],
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'predict',
    resource,
    instrumentationScope: { name: '@inferlens/express' },
    attributes: {},
    droppedAttributesCount: 0,
  };
}

describe('the OTLP log export when the collector answers badly', () => {
  let receiver: ScriptedCollector | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  /** Sends `batches` batches of `size` records through a queue to a receiver that answers with `answer`. */
  async function exportTo(
    answer: (request: number) => ScriptedAnswer,
    options: { batches?: number; size?: number; timeoutMillis?: number } = {},
  ) {
    const { batches = 1, size = 5, timeoutMillis = 3000 } = options;
    receiver = await startScriptedCollector(answer);
    const exporter = protobufLogExporter({ url: `${receiver.url}/v1/logs`, timeoutMillis });
    const reporter = recordingReporter();
    const queue = new BoundedExportQueue(
      exportBatchTo(exporter),
      exportQueueOptions({ maxExportBatchSize: size }),
      reporter,
      'logs to otlp',
    );
    for (let batch = 0; batch < batches; batch++) {
      for (let i = 0; i < size; i++) queue.push(exporter.hold(record(), true));
      await queue.forceFlush();
    }
    await exporter.shutdown();
    return { queue, reporter, requests: receiver.requests };
  }

  const protobufOk = (body: Uint8Array): ScriptedAnswer => ({
    status: 200,
    headers: { 'content-type': 'application/x-protobuf' },
    body,
  });

  it('counts the records a protobuf partial success rejects as failed, not exported, and warns once', async () => {
    const { queue, reporter, requests } = await exportTo(() => protobufOk(protobufPartialSuccess(2, 'too old')), {
      batches: 2,
    });
    expect(requests).to.equal(2);
    expect(queue.exported).to.equal(6);
    expect(queue.failed).to.equal(4);
    expect(reporter.calls).to.deep.equal([
      {
        code: 'INFERLENS_EXPORT_FAILED_LOGS_TO_OTLP',
        message:
          'inferlens: an export of logs to otlp failed (the collector rejected 2 of 5 items: too old) after the ' +
          "exporter's own retries; the records it lost are counted as dropped, and further failures are not reported.",
      },
    ]);
  });

  it('counts a partial success that rejects nothing (a warning message alone) as exported', async () => {
    const { queue, reporter } = await exportTo(() => protobufOk(protobufPartialSuccess(0, 'deprecated field')));
    expect(queue.exported).to.equal(5);
    expect(queue.failed).to.equal(0);
    expect(reporter.calls).to.deep.equal([]);
  });

  // What the SDK's exporter already does right; the first answer is the bad one, any retry gets a 200.
  const thenOk = (bad: ScriptedAnswer) => (request: number) => (request === 0 ? bad : protobufOk(new Uint8Array()));
  const cases: { name: string; bad: ScriptedAnswer; requests: number; exported: number; timeoutMillis?: number }[] = [
    { name: 'a 400 (bad data) is not retried and fails the batch', bad: { status: 400 }, requests: 1, exported: 0 },
    {
      name: 'a 413 (payload too large) is not retried and fails the batch',
      bad: { status: 413 },
      requests: 1,
      exported: 0,
    },
    { name: 'a 500 is not retried and fails the batch', bad: { status: 500 }, requests: 1, exported: 0 },
    {
      name: 'a redirect is not followed and fails the batch',
      bad: { status: 307, headers: { location: '/v1/logs' } },
      requests: 1,
      exported: 0,
    },
    {
      name: 'a 429 with Retry-After is retried',
      bad: { status: 429, headers: { 'retry-after': '1' } },
      requests: 2,
      exported: 5,
    },
    { name: 'a 503 without Retry-After is retried after a backoff', bad: { status: 503 }, requests: 2, exported: 5 },
    {
      name: 'a 503 whose Retry-After is past the timeout fails the batch',
      bad: { status: 503, headers: { 'retry-after': '60' } },
      requests: 1,
      exported: 0,
    },
    {
      name: 'a 200 whose body is not protobuf counts as exported',
      bad: protobufOk(Buffer.from('<html>ok</html>')),
      requests: 1,
      exported: 5,
    },
    { name: 'a connection reset in a 200 answer counts as exported', bad: 'reset', requests: 1, exported: 5 },
    { name: 'no answer within the timeout fails the batch', bad: 'hang', requests: 1, exported: 0, timeoutMillis: 300 },
  ];
  for (const { name, bad, requests, exported, timeoutMillis } of cases) {
    it(name, async () => {
      const result = await exportTo(thenOk(bad), { batches: 2, timeoutMillis });
      expect(result.requests).to.equal(requests + 1);
      expect(result.queue.exported).to.equal(exported + 5);
      expect(result.queue.failed).to.equal(5 - exported);
      expect(result.reporter.calls).to.have.length(exported === 5 ? 0 : 1);
    });
  }

  for (const step of ['forceFlush', 'shutdown'] as const) {
    it(`${step} waits for a batch still being gzipped, as for one being sent`, async () => {
      receiver = await startScriptedCollector(() => ({ status: 200 }));
      const exporter = protobufLogExporter({
        url: `${receiver.url}/v1/logs`,
        compression: CompressionAlgorithm.GZIP,
        timeoutMillis: 3000,
      });
      let result: ExportResult | undefined;
      const records = [exporter.hold(record(), true), exporter.hold(record(), true)];
      exporter.export(records, (answer) => (result = answer));
      await exporter[step]();
      expect(result?.code, `the export's result when ${step} resolved`).to.equal(ExportResultCode.SUCCESS);
      expect(receiver.requests).to.equal(1);
    });
  }
});
