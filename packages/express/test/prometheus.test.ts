/**
 * The Prometheus endpoint of the own providers: what a scrape reads after
 * real calls, what it refuses, and that a port it cannot have, or a
 * delta preference for OTLP, costs the calls nothing.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLP_TEMPORALITY } from '../../../test/support/otlp-model.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { inferenceTelemetry } from '../src/middleware.js';
import type { InferenceTelemetry } from '../src/middleware.js';
import { useEnvironment } from './environment.js';
import { IRIS_BODY, kserveApp, post, useRecordedWarnings, useServers } from './in-memory-telemetry.js';

/** The value of the one sample of `series` whose labels include each of `labels`; undefined when there is none. */
function sample(text: string, series: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([name, value]) => `${name}="${value}"`);
  const lines = text
    .split('\n')
    .filter((line) => line.startsWith(`${series}{`) && wanted.every((label) => line.includes(label)));
  if (lines.length > 1) throw new Error(`${lines.length} samples of ${series} match ${wanted.join(',')}`);
  return lines.length === 0 ? undefined : Number(lines[0].slice(lines[0].lastIndexOf(' ') + 1));
}

/** The middleware, for a child process to import. */
const MIDDLEWARE_MODULE = new URL('../src/middleware.ts', import.meta.url).href;

/**
 * How many milliseconds a child process with the endpoint on, and one
 * second of work of its own, lives while a scraper keeps one keep-alive
 * connection busy (undefined when it is still alive after `limitMs`), and
 * how many scrapes it answered.
 */
async function lifetimeWhileScraped(limitMs: number): Promise<{ livedMs: number | undefined; scrapes: number }> {
  const script = [
    `import { inferenceTelemetry } from ${JSON.stringify(MIDDLEWARE_MODULE)};`,
    "const telemetry = inferenceTelemetry({ fileSink: { enabled: false }, prometheus: { port: 0, host: '127.0.0.1' } });",
    'console.log(await telemetry.prometheusUrl);',
    'setTimeout(() => {}, 1000);',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const url = line.toString().trim();
    const started = Date.now();
    let scrapes = 0;
    const scraping = setInterval(() => {
      get(url, { agent }, (response) => {
        if (response.statusCode === 200) scrapes++;
        response.resume();
      }).on('error', () => undefined);
    }, 100);
    try {
      const livedMs = await Promise.race([
        exited.then(() => Date.now() - started),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), limitMs)),
      ]);
      return { livedMs, scrapes };
    } finally {
      clearInterval(scraping);
    }
  } finally {
    agent.destroy();
    child.kill();
  }
}

async function scrape(telemetry: InferenceTelemetry): Promise<string> {
  const url = await telemetry.prometheusUrl;
  if (url === undefined) throw new Error('the Prometheus endpoint is not listening');
  const response = await fetch(url);
  expect(response.status).to.equal(200);
  return response.text();
}

describe('the Prometheus endpoint', () => {
  const servers = useServers();
  const warnings = useRecordedWarnings();
  const built: InferenceTelemetry[] = [];
  const build = (options: Parameters<typeof inferenceTelemetry>[0]): InferenceTelemetry => {
    const telemetry = inferenceTelemetry({ fileSink: { enabled: false }, ...options });
    built.push(telemetry);
    return telemetry;
  };
  afterEach(async () => {
    await Promise.all(built.splice(0).map((telemetry) => telemetry.shutdown()));
  });

  it('serves the call metrics cumulatively, failed calls apart, with the resource as target_info', async () => {
    const telemetry = build({ serviceName: 'scored', prometheus: { port: 0, host: '127.0.0.1' } });
    expect(telemetry.destinations.prometheus).to.deep.equal({ host: '127.0.0.1', port: 0 });
    const app = await servers.start(kserveApp(telemetry));
    expect((await post(`${app}/v1/models/iris:predict`, IRIS_BODY)).status).to.equal(200);
    expect((await post(`${app}/v1/models/iris:predict`, '{"instances": [')).status).to.equal(400);

    const url = await telemetry.prometheusUrl;
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(url).to.not.match(/:0\//);
    const first = await scrape(telemetry);
    const iris = { inference_protocol: 'kserve-v1', inference_model_name: 'iris' };
    const count = 'inference_server_request_duration_count';
    expect(sample(first, count, { ...iris, inference_outcome: 'success', http_response_status_code: '200' })).to.equal(
      1,
    );
    expect(sample(first, count, { ...iris, inference_outcome: 'error', http_response_status_code: '400' })).to.equal(1);
    expect(sample(first, 'target_info', { service_name: 'scored' })).to.equal(1);

    await post(`${app}/v1/models/iris:predict`, IRIS_BODY);
    const second = await scrape(telemetry);
    expect(sample(second, count, { ...iris, inference_outcome: 'success' })).to.equal(2);
    expect(
      sample(second, 'inference_server_request_duration_bucket', { ...iris, inference_outcome: 'success', le: '+Inf' }),
    ).to.equal(2);
    expect(sample(second, 'inference_server_active_requests', { inference_protocol: 'kserve-v1' })).to.equal(0);
    expect(warnings.messages).to.deep.equal([]);
  });

  it('answers 404 to another path and to a method other than GET and HEAD', async () => {
    const telemetry = build({ prometheus: { port: 0, host: '127.0.0.1' } });
    const url = (await telemetry.prometheusUrl)!;
    expect((await fetch(url.replace(/\/metrics$/, '/'))).status).to.equal(404);
    expect((await fetch(`${url}/more`)).status).to.equal(404);
    expect((await fetch(url, { method: 'POST' })).status).to.equal(404);
    expect((await fetch(url, { method: 'HEAD' })).status).to.equal(200);
    expect((await fetch(`${url}?name[]=x`)).status).to.equal(200);
  });

  it('names a URL that reaches the endpoint when it listens on every interface', async () => {
    const telemetry = build({ prometheus: { port: 0, host: '0.0.0.0' } });
    expect(await telemetry.prometheusUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await scrape(telemetry);
  });

  it('reports a port already in use once, and predict calls go on', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const { port } = taken.address() as AddressInfo;
      const telemetry = build({ prometheus: { port, host: '127.0.0.1' } });
      expect(await telemetry.prometheusUrl).to.equal(undefined);
      const app = await servers.start(kserveApp(telemetry));
      expect((await post(`${app}/v1/models/iris:predict`, IRIS_BODY)).status).to.equal(200);
      expect(warnings.messages).to.have.length(1);
      expect(warnings.messages[0]).to.match(
        new RegExp(`Prometheus endpoint on 127\\.0\\.0\\.1:${port} failed.*predict calls are unaffected.*EADDRINUSE`),
      );
    } finally {
      taken.close();
    }
  });

  it('stops listening on shutdown', async () => {
    const telemetry = build({ prometheus: { port: 0, host: '127.0.0.1' } });
    const url = (await telemetry.prometheusUrl)!;
    await scrape(telemetry);
    await telemetry.shutdown();
    const refused = await fetch(url).then(
      () => undefined,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).to.equal('ECONNREFUSED');
  });

  it('settles prometheusUrl to undefined when shut down before the endpoint listened', async () => {
    // 'localhost' is looked up before the server listens: the shutdown comes first.
    const telemetry = build({ prometheus: { port: 0, host: 'localhost' } });
    await telemetry.shutdown();
    const settled = await Promise.race([
      telemetry.prometheusUrl.then((url) => ({ url })),
      new Promise<string>((resolve) => setTimeout(() => resolve('pending'), 2000)),
    ]);
    expect(settled).to.deep.equal({ url: undefined });
  });

  it('does not keep the process alive while a scraper holds a keep-alive connection', async () => {
    // Past the second of work, the process has nothing left to do but answer scrapes: it exits, well before the 5 s a
    // server keeps an idle connection.
    const { livedMs, scrapes } = await lifetimeWhileScraped(8000);
    expect(scrapes).to.be.above(0);
    expect(livedMs).to.be.a('number').below(4000);
  });

  describe('beside OTLP metrics asked to be delta', () => {
    const receiver = useOtlpReceiver({ per: 'test' });
    useEnvironment(() => ({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' }));

    it('sends the OTLP metrics cumulative, as Prometheus reads them, and says so once', async () => {
      // Built here and shut down before the receiver closes (the inner describe's hooks run first).
      const telemetry = inferenceTelemetry({
        fileSink: { enabled: false },
        otlp: { endpoint: receiver().url },
        prometheus: { port: 0, host: '127.0.0.1' },
      });
      try {
        const app = await servers.start(kserveApp(telemetry));
        await post(`${app}/v1/models/iris:predict`, IRIS_BODY);
        await telemetry.forceFlush();
        await post(`${app}/v1/models/iris:predict`, IRIS_BODY);
        await telemetry.forceFlush();
        // Cumulative on both sides: the scrape counts both calls, as the last OTLP export does.
        const count = sample(await scrape(telemetry), 'inference_server_request_duration_count', {
          inference_model_name: 'iris',
        });
        expect(count).to.equal(2);
      } finally {
        await telemetry.shutdown();
      }
      const temporalities = receiver()
        .metrics()
        .filter((metric) => metric.aggregationTemporality !== undefined)
        .map((metric) => metric.aggregationTemporality);
      expect(temporalities).to.not.be.empty;
      expect(new Set(temporalities)).to.deep.equal(new Set([OTLP_TEMPORALITY.CUMULATIVE]));
      expect(warnings.messages).to.have.length(1);
      expect(warnings.messages[0]).to.match(/OTLP metrics are sent cumulative, not delta.*Prometheus endpoint/);
    });
  });
});
