/**
 * A client may pipeline requests: send the next before the answer to the
 * one before. Node.js hands each to the app at once, and holds back an
 * answer until the answers before it have gone, so calls on one connection
 * are in flight together.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { connect } from 'node:net';
import { inferenceTelemetry } from '../src/middleware.js';
import { monitor } from '../src/monitor.js';
import { ATTR_REQUEST_ID, RECORD_TYPE } from '../src/semconv.js';
import { until } from './export-helpers.js';
import { IRIS_BODY, globalOptions, kserveApp, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

/** A V1 predict request of `model`, as bytes on the wire. */
function predictRequest(model: string, requestId: string): string {
  return [
    `POST /v1/models/${model}:predict HTTP/1.1`,
    'Host: localhost',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(IRIS_BODY)}`,
    `X-Request-Id: ${requestId}`,
    '',
    IRIS_BODY,
  ].join('\r\n');
}

describe('calls pipelined on one connection', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  it('records each with its own request id, answer and monitor row while both are in flight', async () => {
    let laterHandled!: () => void;
    const laterCallHandled = new Promise<void>((resolve) => (laterHandled = resolve));
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      async predict(req, res, model) {
        monitor(req, 'pipelined').log(model, { name: 'model', role: 'feature', dataType: 'categorical' });
        // The first call answers only once the second has answered: its answer waits, unsent, behind the first's.
        if (model === 'first') await laterCallHandled;
        res.json({ predictions: [model] });
        if (model === 'second') laterHandled();
      },
    });
    const url = new URL(await servers.start(app));
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    socket.write(predictRequest('first', 'id-1') + predictRequest('second', 'id-2'));
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));

    await until(() => received.includes('"second"'), 'both answers');
    socket.destroy();
    // The answers went out in the order asked, the first call's first.
    expect(received.indexOf('"first"')).to.be.within(0, received.indexOf('"second"'));
    const responses = await telemetry.waitForRecords(2, RECORD_TYPE.RESPONSE);
    const rows = await telemetry.waitForRecords(2, RECORD_TYPE.MONITOR_ROW);
    const byId = (id: string) => responses.find((record) => record.attributes[ATTR_REQUEST_ID] === id)?.body;
    expect([byId('id-1'), byId('id-2')]).to.deep.equal(['{"predictions":["first"]}', '{"predictions":["second"]}']);
    const rowModels = rows.map((row) => {
      const { request_id: id, model } = JSON.parse(row.body as string) as { request_id: string; model: string };
      return `${id} ${model}`;
    });
    expect(rowModels.sort()).to.deep.equal(['id-1 first', 'id-2 second']);
    const spans = telemetry.spans().map((span) => `${String(span.attributes[ATTR_REQUEST_ID])} ${span.name}`);
    expect(spans.sort()).to.deep.equal(['id-1 predict first', 'id-2 predict second']);
  });
});
