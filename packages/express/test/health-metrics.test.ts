/**
 * The telemetry's own health, as the own providers export it: each export
 * queue counted under its signal and its destination, so that a dashboard
 * tells the files from the collector.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import {
  ATTR_TELEMETRY_DESTINATION,
  ATTR_TELEMETRY_SIGNAL,
  METRIC_QUEUE_DEPTH,
  METRIC_RECORDS_DROPPED,
  METRIC_RECORDS_EXPORTED,
} from '../src/semconv.js';
import { useServers } from './in-memory-telemetry.js';
import { exportOneCall } from './one-call.js';

describe('health metrics (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });

  it('count each queue under its signal and destination: logs to the collector and to files, traces', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'inferlens-health-'));
    try {
      await exportOneCall(servers, { otlp: { endpoint: receiver().url }, fileSink: { enabled: true, directory } });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    /** The metric's points in the last export, as `signal destination` to value. */
    const lastPoints = (name: string): Record<string, unknown> => {
      const metric = receiver()
        .metrics()
        .filter((received) => received.name === name)
        .at(-1);
      return Object.fromEntries(
        (metric?.dataPoints ?? []).map(({ attributes, value }) => [
          `${attributes[ATTR_TELEMETRY_SIGNAL] as string} ${attributes[ATTR_TELEMETRY_DESTINATION] as string}`,
          value,
        ]),
      );
    };
    expect(lastPoints(METRIC_RECORDS_EXPORTED)).to.deep.equal({ 'logs otlp': 2, 'logs file': 2, 'traces otlp': 1 });
    expect(lastPoints(METRIC_RECORDS_DROPPED)).to.deep.equal({ 'logs otlp': 0, 'logs file': 0, 'traces otlp': 0 });
    expect(lastPoints(METRIC_QUEUE_DEPTH)).to.deep.equal({ 'logs otlp': 0, 'logs file': 0, 'traces otlp': 0 });
  });
});
