import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { expect } from 'chai';
import { annotateCall } from '../src/annotations.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { monitor } from '../src/monitor.js';
import { ATTR_ERROR_TYPE, ATTR_MODEL_VERSION, RECORD_TYPE } from '../src/semconv.js';
import { IRIS_BODY, globalOptions, kserveApp, post, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

const SEPAL = { name: 'sepal_length', role: 'feature', dataType: 'numerical' };

/** How long a listener of the answer's `close`, after the middleware's, keeps the event loop busy. */
const BUSY_MILLIS = 200;

function busyFor(millis: number): void {
  const until = performance.now() + millis;
  while (performance.now() < until);
}

// Each handler listens to its answer's `close` after the middleware, which listened as the call started.
describe("when a call's telemetry is taken", () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  it('the call ends as its answer closes, not when its telemetry is recorded after that', async () => {
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      predict: (req, res) => {
        monitor(req, 'iris_classifier').log(5.1, SEPAL);
        res.on('close', () => busyFor(BUSY_MILLIS));
        res.json({ predictions: [1] });
      },
    });
    await post(`${await servers.start(app)}/v1/models/iris:predict`, IRIS_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(hrTimeToMilliseconds(span.duration)).to.be.below(BUSY_MILLIS);
    // The records of the answer are stamped with the span's end, as is the row's own timestamp column.
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    const row = await telemetry.waitForRecord(RECORD_TYPE.MONITOR_ROW);
    expect(response.hrTime).to.deep.equal(span.endTime);
    expect(row.hrTime).to.deep.equal(span.endTime);
    const { timestamp } = JSON.parse(row.body as string) as { timestamp: string };
    expect(Date.parse(timestamp)).to.equal(Math.floor(hrTimeToMilliseconds(span.endTime)));
  });

  it('what the application says once the answer has closed is not kept', async () => {
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      predict: (req, res) => {
        const mon = monitor(req, 'iris_classifier');
        mon.log(5.1, SEPAL);
        res.on('close', () => {
          annotateCall(res, { modelVersion: '7', error: new Error('too late') });
          mon.log('versicolor', { name: 'pred', role: 'prediction', dataType: 'categorical' });
        });
        res.json({ predictions: [1] });
      },
    });
    await post(`${await servers.start(app)}/v1/models/iris:predict`, IRIS_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(span.attributes).to.not.have.property(ATTR_MODEL_VERSION);
    expect(span.attributes).to.not.have.property(ATTR_ERROR_TYPE);
    const row = await telemetry.waitForRecord(RECORD_TYPE.MONITOR_ROW);
    expect(JSON.parse(row.body as string)).to.have.keys('timestamp', 'request_id', 'trace_id', 'sepal_length');
  });

  it('what is written once the answer has closed is not in the response record', async () => {
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      predict: (_req, res) => {
        res.on('close', () => res.end(' and more'));
        res.json({ predictions: [1] });
      },
    });
    const answer = await post(`${await servers.start(app)}/v1/models/iris:predict`, IRIS_BODY);
    const record = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(record.body).to.equal(answer.text).and.to.equal('{"predictions":[1]}');
  });

  for (const stop of ['forceFlush', 'shutdown'] as const) {
    it(`${stop} first records the calls that have ended`, async () => {
      const middleware = inferenceTelemetry(globalOptions());
      let spansAtStop = -1;
      const app = kserveApp(middleware, {
        predict: (_req, res) => {
          res.on('close', () => {
            void middleware[stop]();
            spansAtStop = telemetry.spans().length;
          });
          res.json({ predictions: [1] });
        },
      });
      await post(`${await servers.start(app)}/v1/models/iris:predict`, IRIS_BODY);
      await telemetry.waitForSpans();
      expect(spansAtStop).to.equal(1);
    });
  }
});
