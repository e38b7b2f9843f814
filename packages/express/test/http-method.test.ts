/**
 * `http.request.method` holds only the methods the HTTP conventions know
 * (or OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS lists): any other is `_OTHER`,
 * the method itself in `http.request.method_original`.
 */
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { inferenceTelemetry } from '../src/middleware.js';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_REQUEST_METHOD_ORIGINAL, PROTOCOL } from '../src/semconv.js';
import type { PredictMatcher } from '../src/types.js';
import { useEnvironment } from './environment.js';
import { globalOptions, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

/** A matcher that takes `/score` whatever its method, as an application's own may. */
const anyMethod: PredictMatcher = (req) =>
  req.path === '/score'
    ? { operation: 'score', model: 'churn', protocol: PROTOCOL.KSERVE_V1, route: '/score' }
    : undefined;

function send(url: string, method: string): Promise<void> {
  return new Promise((resolve, reject) => {
    httpRequest(`${url}/score`, { method }, (res) => void res.resume().on('end', resolve))
      .on('error', reject)
      .end();
  });
}

describe('http.request.method', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  async function methodsRecorded(...methods: string[]): Promise<(string | undefined)[][]> {
    const app = express();
    app.use(inferenceTelemetry(globalOptions({ matcher: anyMethod })));
    app.all('/score', (_req, res) => void res.json({ score: 0.3 }));
    const url = await servers.start(app);
    for (const method of methods) await send(url, method);
    const spans = await telemetry.waitForSpans(methods.length);
    return spans.map(({ attributes }) => [
      attributes[ATTR_HTTP_REQUEST_METHOD] as string | undefined,
      attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] as string | undefined,
    ]);
  }

  it('records a known method as it is, and any other as _OTHER with the method in http.request.method_original', async () => {
    expect(await methodsRecorded('POST', 'PATCH', 'PURGE')).to.deep.equal([
      ['POST', undefined],
      ['PATCH', undefined],
      ['_OTHER', 'PURGE'],
    ]);
  });

  describe('with OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS', () => {
    useEnvironment(() => ({ OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'POST, PURGE' }));

    it('knows the methods it lists, and only those', async () => {
      expect(await methodsRecorded('PURGE', 'PATCH')).to.deep.equal([
        ['PURGE', undefined],
        ['_OTHER', 'PATCH'],
      ]);
    });
  });
});
