/**
 * The middleware with its own providers: spans, payload records and metrics
 * go over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, else to JSON
 * lines under ./monitoring. Run: npx tsx examples/own-providers.ts
 */
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { captureErrors, captureRawBody, expressServerOptions, inferenceTelemetry, monitor } from '@inferlens/express';

const telemetry = inferenceTelemetry({ serviceName: 'iris-example', captureHeaders: ['user-agent'] });

const app = express();
app.use(telemetry);
app.use(express.json({ verify: captureRawBody }));
app.post('/v1/models/:target', (req, res) => {
  const instances = (req.body as { instances: number[][] }).instances;
  // A stand-in classifier: long petals are versicolor (1), short ones setosa (0).
  const predictions = instances.map((row) => (row[2] > 2.5 ? 1 : 0));
  monitor(req, 'iris_classifier').log(predictions[0], { name: 'class', role: 'prediction', dataType: 'categorical' });
  res.json({ predictions });
});
app.use(captureErrors());

// As app.listen, with requests and responses made with the app's prototypes (docs/telemetry.md, "Serving an Express app").
const server = createServer(expressServerOptions(app), app).listen(
  Number(process.env['PORT'] ?? 0),
  '127.0.0.1',
  () => {
    const { port } = server.address() as AddressInfo;
    void (async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/v1/models/iris:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [[6.8, 2.8, 4.8, 1.4]] }),
      });
      console.log(answer.status, answer.headers.get('x-request-id'), await answer.text());
      server.close();
      await telemetry.shutdown();
      console.log('telemetry flushed');
    })();
  },
);
