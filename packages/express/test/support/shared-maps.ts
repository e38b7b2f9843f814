/**
 * Run with `--allow-natives-syntax`: serves one Express app (`express` or
 * `express4`, the first argument) by `createServer(expressServerOptions(app), app)`,
 * with the middleware recording its predict calls. It holds two requests at
 * once in a handler, after Express, its router and the middleware added
 * their properties, and prints as JSON whether the two requests share one
 * V8 map, and the two responses another.
 */
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { expressServerOptions } from '../../src/express-server-options.js';
import { inferenceTelemetry } from '../../src/middleware.js';

const [framework] = process.argv.slice(2);
const { default: express } = (await import(framework === 'express4' ? 'express4' : 'express')) as {
  default: () => Express;
};
// Reachable only under --allow-natives-syntax, and not through TypeScript's parser: built at run time.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const app = express();
// The application's providers, of which there are none here: the call is recorded, its telemetry goes nowhere.
app.use(inferenceTelemetry({ providers: 'global' }));
const held: [IncomingMessage, ServerResponse][] = [];
app.post('/v1/models/:target', (req, res) => {
  held.push([req, res]);
  if (held.length < 2) return;
  const [[firstRequest, firstResponse], [secondRequest, secondResponse]] = held;
  process.stdout.write(
    JSON.stringify({
      requests: haveSameMap(firstRequest, secondRequest),
      responses: haveSameMap(firstResponse, secondResponse),
    }),
  );
  for (const [, response] of held) response.end();
});
const server: Server = createServer(expressServerOptions(app), app).listen(0, '127.0.0.1');
await once(server, 'listening');
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models/iris:predict`;
await Promise.all([1, 2].map(() => fetch(url, { method: 'POST' }).then((answer) => answer.text())));
server.close();
