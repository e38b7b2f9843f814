/** The `inferlens serve` CLI: graceful shutdown on SIGTERM and SIGINT, help, and argument errors. */
import type { ClientRequest } from 'node:http';
import { request } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'chai';
import type { CliProcess } from '../../../test/support/cli.js';
import { SERVE_DEMO_MODELS, SERVING_BANNER, runCli, startCli } from '../../../test/support/cli.js';

const BODY = JSON.stringify({
  instances: [
    [6.8, 2.8, 4.8, 1.4],
    [6.0, 3.4, 4.5, 1.6],
  ],
});

interface InFlight {
  /** Resolves once the server has read the request's headers (it answered 100 Continue). */
  readonly started: Promise<void>;
  /** Sends the body. */
  finish(): void;
  readonly answer: Promise<{ status: number; body: string }>;
}

/** A predict request held open: headers sent with `Expect: 100-continue`, body sent on `finish()`. */
function holdPredict(url: string): InFlight {
  const req: ClientRequest = request(`${url}/v1/models/iris:predict`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY), expect: '100-continue' },
  });
  const started = new Promise<void>((resolve, reject) => {
    req.once('continue', () => resolve());
    req.once('error', reject);
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode!, body }));
    });
  });
  req.flushHeaders();
  return { started, finish: () => req.end(BODY), answer };
}

/** The error code of a new connection to the port, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * The first error code of new connections to the port. The server stops
 * listening right after it logs the signal, but the test may read the log
 * first, so it tries again (while a request is in flight, the server keeps
 * running: a server that never stops listening fails the test).
 */
async function connectionErrorAfterClose(port: number): Promise<string> {
  const attempts = 200;
  for (let i = 0; i < attempts; i++) {
    const result = await tryConnect(port);
    if (result !== 'connected') return result;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return `still connected after ${attempts} attempts`;
}

describe('inferlens serve (CLI)', () => {
  let cli: CliProcess | undefined;

  afterEach(() => {
    cli?.kill();
    cli = undefined;
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}, finishes the request in flight, refuses new connections and exits with 0`, async () => {
      cli = startCli(SERVE_DEMO_MODELS);
      const [, url] = (await cli.waitForOutput(SERVING_BANNER)) as [string, string];
      const port = Number(new URL(url).port);
      const inFlight = holdPredict(url);
      await inFlight.started;

      cli.child.kill(signal);
      await cli.waitForOutput(new RegExp(`${signal} received`));
      // A connection the kernel queued just as the listener closed is reset rather than refused: both are refusals.
      expect(await connectionErrorAfterClose(port)).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET']);

      inFlight.finish();
      const answer = await inFlight.answer;
      expect(answer.status).to.equal(200);
      expect(JSON.parse(answer.body)).to.deep.equal({ predictions: [1, 1] });
      expect(await cli.exited).to.deep.equal({ code: 0, signal: null });
    });
  }

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`on a second ${signal}, exits at once with ${code}, not waiting for the request in flight`, async () => {
      cli = startCli(SERVE_DEMO_MODELS);
      const [, url] = (await cli.waitForOutput(SERVING_BANNER)) as [string, string];
      const inFlight = holdPredict(url);
      inFlight.answer.catch(() => undefined);
      await inFlight.started;

      cli.child.kill(signal);
      await cli.waitForOutput(new RegExp(`${signal} received`));
      const secondAt = Date.now();
      cli.child.kill(signal);
      // The request is never finished: a process that ignored the second signal would wait the whole 30 s timeout.
      expect(await cli.exited).to.deep.equal({ code, signal: null });
      expect(Date.now() - secondAt).to.be.below(5000);
      expect(cli.stderr()).to.include(`second ${signal}: exiting at once`);
    });
  }

  it('reads its settings from INFERLENS_* environment variables', async () => {
    cli = startCli(['serve'], {
      INFERLENS_MODEL_REPOSITORY: 'models',
      INFERLENS_PORT: '0',
      INFERLENS_HOST: '127.0.0.1',
    });
    const [, url] = (await cli.waitForOutput(SERVING_BANNER)) as [string, string];
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await fetch(`${url}/v2/health/ready`);
    expect(ready.status).to.equal(200);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).to.deep.equal({ code: 0, signal: null });
  });

  it('lists every flag of serve with its environment variable in --help', async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    expect(code).to.equal(0);
    // Help text wraps at the terminal width.
    const help = stdout.replace(/\s+/g, ' ');
    for (const [flag, env] of [
      ['--model-repository <dir>', 'INFERLENS_MODEL_REPOSITORY'],
      ['--host <host>', 'INFERLENS_HOST'],
      ['--port <port>', 'INFERLENS_PORT'],
      ['--max-body-bytes <bytes>', 'INFERLENS_MAX_BODY_BYTES'],
      ['--shutdown-timeout-ms <ms>', 'INFERLENS_SHUTDOWN_TIMEOUT_MS'],
    ]) {
      expect(help).to.include(flag);
      expect(help).to.include(`env: ${env}`);
    }
  });

  it('exits non-zero, saying so, without --model-repository', async () => {
    const { code, stderr } = await runCli(['serve', '--port', '0']);
    expect(code).to.not.equal(0);
    expect(stderr).to.include("required option '--model-repository <dir>' not specified");
  });

  it('exits non-zero, saying so, for a repository that is not a folder and for a port out of range', async () => {
    const missing = await runCli([
      'serve',
      '--model-repository',
      'no-such-folder',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ]);
    expect(missing.code).to.not.equal(0);
    expect(missing.stderr).to.include("the model repository 'no-such-folder' is not a folder");
    const port = await runCli(['serve', '--model-repository', 'models', '--port', '70000']);
    expect(port.code).to.not.equal(0);
    expect(port.stderr).to.include("expected an integer from 0 to 65535, got '70000'");
  });

  it('exits non-zero, saying so, for a --monitoring-dir that is a file or under one, with the file sink on', async () => {
    for (const dir of ['package.json', 'package.json/monitoring']) {
      const { code, stderr } = await runCli([...SERVE_DEMO_MODELS, '--monitoring-dir', dir], {
        INFERLENS_TELEMETRY: 'on',
      });
      expect(code, dir).to.equal(1);
      expect(stderr).to.include(`the monitoring folder '${dir}' is a file, or under one`);
    }
  });

  it('exits non-zero, saying so, for a --shutdown-timeout-ms past what a timer takes, which would not wait at all', async () => {
    const { code, stderr } = await runCli([...SERVE_DEMO_MODELS, '--shutdown-timeout-ms', '2147483648']);
    expect(code).to.equal(1);
    expect(stderr).to.include("expected an integer from 0 to 2147483647, got '2147483648'");
  });

  it('exits non-zero, saying so, for a blank or non-decimal --port and a blank --host', async () => {
    const serve = ['serve', '--model-repository', 'models'];
    for (const value of ['', ' ', '0x10', '1e3']) {
      const port = await runCli([...serve, '--port', value, '--host', '127.0.0.1']);
      expect(port.code, value).to.not.equal(0);
      expect(port.stderr).to.include(`expected an integer from 0 to 65535, got '${value}'`);
    }
    const host = await runCli([...serve, '--port', '0', '--host', '']);
    expect(host.code).to.not.equal(0);
    expect(host.stderr).to.include("option '--host <host>' argument '' is invalid. expected a value, got an empty one");
  });
});
