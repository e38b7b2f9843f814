/**
 * The middleware on the providers the application registered with NodeSDK:
 * here they print to the console, so it runs without a collector.
 * Run: npx tsx examples/global-providers.ts
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { NodeSDK, logs, tracing } from '@opentelemetry/sdk-node';
import { captureRawBody, inferenceTelemetry } from '@inferlens/express';

const sdk = new NodeSDK({
  serviceName: 'iris-example',
  traceExporter: new tracing.ConsoleSpanExporter(),
  logRecordProcessors: [new logs.SimpleLogRecordProcessor({ exporter: new logs.ConsoleLogRecordExporter() })],
});
sdk.start();

const app = express();
app.use(inferenceTelemetry({ providers: 'global' }));
app.use(express.json({ verify: captureRawBody }));
app.post('/v2/models/:model/infer', (_req, res) => {
  res.json({ model_name: 'iris', outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [1] }] });
});

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  void (async () => {
    const body = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [6.8, 2.8, 4.8, 1.4] }] };
    const answer = await fetch(`http://127.0.0.1:${port}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    console.log(answer.status, await answer.text());
    server.close();
    await sdk.shutdown();
  })();
});
