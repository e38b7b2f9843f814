import compression from 'compression';
import { expect } from 'chai';
import type { RequestHandler } from 'express';
import express from 'express';
import { inferenceTelemetry } from '../src/middleware.js';
import { REDACTED } from '../src/payload/redact.js';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_PAYLOAD_SIZE,
  ATTR_PAYLOAD_TRUNCATED,
  PROTOCOL,
  RECORD_TYPE,
} from '../src/semconv.js';
import type { PredictMatcher } from '../src/types.js';
import { IRIS_BODY, globalOptions, post, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

describe('response capture', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  it('keeps an answer written in chunks with write() and end(): strings in any encoding, Buffers, Uint8Arrays', async () => {
    const app = express();
    app.use(inferenceTelemetry(globalOptions()));
    app.post('/v1/models/:target', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"predictions":');
      res.write(Buffer.from('[1,'));
      res.write(Buffer.from('2,').toString('base64'), 'base64');
      res.write(new Uint8Array(Buffer.from('3,')));
      res.end(Buffer.from('4]}').toString('hex'), 'hex');
    });
    const url = await servers.start(app);
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    expect(answer.text).to.equal('{"predictions":[1,2,3,4]}');
    await telemetry.waitForRecords(2);
    const [response] = telemetry.records(RECORD_TYPE.RESPONSE);
    expect(response.body).to.equal(answer.text);
    expect(response.attributes[ATTR_PAYLOAD_SIZE]).to.equal(Buffer.byteLength(answer.text));
  });

  for (const status of [204, 304]) {
    it(`keeps nothing of what is written to a ${status} answer, which Node sends without it`, async () => {
      const app = express();
      app.use(inferenceTelemetry(globalOptions()));
      app.post('/v1/models/:target', (_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.write('{"predictions":');
        res.end('[1]}');
      });
      const url = await servers.start(app);
      const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      expect(answer).to.include({ status, text: '' });
      const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
      expect(response.body).to.equal('');
      expect(response.attributes[ATTR_PAYLOAD_SIZE]).to.equal(0);
    });
  }

  it('keeps nothing of what is written to an answer to HEAD, which Node sends without it', async () => {
    const matcher: PredictMatcher = (req) =>
      req.path === '/score'
        ? { operation: 'score', model: 'churn', protocol: PROTOCOL.KSERVE_V1, route: '/score' }
        : undefined;
    const app = express();
    app.use(inferenceTelemetry(globalOptions({ matcher })));
    app.head('/score', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"score":');
      res.end('0.3}');
    });
    const url = await servers.start(app);
    const answer = await fetch(`${url}/score`, { method: 'HEAD' });
    expect(answer.status).to.equal(200);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.body).to.equal('');
    expect(response.attributes[ATTR_PAYLOAD_SIZE]).to.equal(0);
  });

  it('keeps no more than its limit of a string with fewer characters than that, and more bytes', async () => {
    const app = express();
    // The capture keeps 4 KiB at least; with redaction on, an answer it cut is withheld whole.
    app.use(inferenceTelemetry(globalOptions({ maxPayloadBytes: 64, redactPaths: ['secret'] })));
    const answer = JSON.stringify({ predictions: '\u20ac'.repeat(1400) });
    app.post('/v1/models/:target', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(answer);
    });
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(answer.length).to.be.below(4096);
    expect(response.body).to.equal(REDACTED);
    expect(response.attributes).to.include({
      [ATTR_PAYLOAD_SIZE]: Buffer.byteLength(answer),
      [ATTR_PAYLOAD_TRUNCATED]: true,
    });
  });

  it('keeps the bytes of a Buffer as written, though the handler reuses it once they are sent', async () => {
    const app = express();
    app.use(inferenceTelemetry(globalOptions()));
    app.post('/v1/models/:target', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      const scratch = Buffer.from('{"predictions":[1,');
      res.write(scratch, () => {
        // Written: the buffer is the handler's again, and it fills it with the next part.
        scratch.fill(' ').write('2]}');
        res.end(scratch);
      });
    });
    const url = await servers.start(app);
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    expect(JSON.parse(answer.text)).to.deep.equal({ predictions: [1, 2] });
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.body).to.equal(answer.text);
  });

  describe("a string written with 'buffer' as its encoding, which Buffer does not know", () => {
    const TEXT = '{"label":"caf\u00e9"}';

    /**
     * What the client of an app whose handler writes {@link TEXT} so
     * received (undefined when the answer broke off), and what the write
     * threw: Node.js 20 and 22 send the string as UTF-8; Node.js 24 and 26
     * throw ERR_UNKNOWN_ENCODING, the headers and a chunk's length already sent,
     * and the handler then breaks the answer off.
     */
    async function answerOfBufferWrite(middleware: RequestHandler): Promise<{ text?: string; thrown?: unknown }> {
      let thrown: unknown;
      const app = express();
      app.use(middleware);
      app.post('/v1/models/:target', (_req, res) => {
        res.setHeader('content-type', 'application/json');
        try {
          res.write(TEXT, 'buffer' as BufferEncoding);
        } catch (error) {
          thrown = (error as NodeJS.ErrnoException).code;
          // The answer's framing is broken: the client would wait for the chunk's bytes.
          res.destroy();
          return;
        }
        res.end();
      });
      const url = await servers.start(app);
      try {
        const { text } = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
        return { text, thrown };
      } catch {
        return { thrown };
      }
    }

    it('is let through as Node.js takes it without the middleware, and recorded only if it was sent', async () => {
      const without = await answerOfBufferWrite((_req, _res, next) => next());
      const recorded = await answerOfBufferWrite(inferenceTelemetry(globalOptions()));
      expect(recorded).to.deep.equal(without);
      const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
      if (without.thrown === undefined) {
        expect(without.text).to.equal(TEXT);
        expect(response.body).to.equal(TEXT);
      } else {
        expect(without.thrown).to.equal('ERR_UNKNOWN_ENCODING');
        expect(response.body).to.not.include('caf');
      }
    });
  });

  it('sees what a middleware mounted before it passes on from its own per-response wrappers', async () => {
    // The shape of `compression` and similar middleware: `write` and `end` replaced on the response itself.
    let wrapped = 0;
    const rewriting: RequestHandler = (_req, res, next) => {
      const end = res.end.bind(res) as (chunk?: unknown) => typeof res;
      res.end = ((chunk?: unknown) => {
        wrapped++;
        // Same length: Express has already set Content-Length.
        const text = Buffer.isBuffer(chunk) || typeof chunk === 'string' ? chunk.toString() : undefined;
        return end(text === undefined ? chunk : text.toUpperCase());
      }) as typeof res.end;
      next();
    };
    const app = express();
    app.use(rewriting);
    app.use(inferenceTelemetry(globalOptions()));
    app.post('/v1/models/:target', (_req, res) => void res.json({ predictions: [1] }));
    const url = await servers.start(app);
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    expect(answer.text).to.equal('{"PREDICTIONS":[1]}');
    expect(wrapped).to.equal(1);
    await telemetry.waitForRecords(2);
    expect(telemetry.records(RECORD_TYPE.RESPONSE)[0].body).to.equal('{"PREDICTIONS":[1]}');
  });

  describe('behind compression()', () => {
    /** Long enough for compression's default threshold (1 KB), short of the default maxPayloadBytes. */
    const predictions = { predictions: Array.from({ length: 400 }, (_, index) => index / 7) };
    const json = JSON.stringify(predictions);
    const serveCompressed = (options = {}, answer: RequestHandler = (_req, res) => void res.json(predictions)) => {
      const app = express();
      app.use(compression({ threshold: 0 }));
      app.use(inferenceTelemetry(globalOptions({ mode: 'response', ...options })));
      app.post('/v1/models/:target', answer);
      return servers.start(app);
    };

    for (const encoding of ['gzip', 'deflate', 'br']) {
      it(`records the JSON the handler wrote, not the ${encoding} bytes sent, and sizes it as sent`, async () => {
        const url = await serveCompressed();
        const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'accept-encoding': encoding });
        expect(answer.headers.get('content-encoding')).to.equal(encoding);
        expect(answer.text).to.equal(json);
        const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
        expect(response.body).to.equal(json);
        expect(response.attributes).to.not.have.property(ATTR_PAYLOAD_TRUNCATED);
        const sent = response.attributes[ATTR_PAYLOAD_SIZE] as number;
        expect(sent).to.be.above(0).and.below(Buffer.byteLength(json));
      });
    }

    it('cuts a compressed answer longer than maxPayloadBytes as it cuts any other', async () => {
      const url = await serveCompressed({ maxPayloadBytes: 100 });
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'accept-encoding': 'gzip' });
      const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
      expect(response.attributes[ATTR_PAYLOAD_TRUNCATED]).to.equal(true);
      expect(json.startsWith(response.body as string)).to.equal(true);
      expect(Buffer.byteLength(response.body as string)).to.be.within(1, 100);
    });

    it("reads a failed call's error message from its compressed answer", async () => {
      const url = await serveCompressed({}, (_req, res) => void res.status(400).json({ error: 'x'.repeat(2000) }));
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'accept-encoding': 'gzip' });
      const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
      expect(response.attributes[ATTR_EXCEPTION_MESSAGE]).to.equal('x'.repeat(2000));
    });
  });

  it('gives the answer to each of two middlewares recording the same call', async () => {
    const app = express();
    app.use(inferenceTelemetry(globalOptions({ mode: 'response' })));
    app.use(inferenceTelemetry(globalOptions({ mode: 'response', maxPayloadBytes: 5 })));
    app.post('/v1/models/:target', (_req, res) => void res.json({ predictions: [1] }));
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.waitForRecords(2);
    const bodies = telemetry.records(RECORD_TYPE.RESPONSE).map((record) => record.body);
    expect(bodies).to.have.members(['{"predictions":[1]}', '{"pre']);
  });

  it('leaves the answers of routes that are not predict calls as they were', async () => {
    const app = express();
    app.use(inferenceTelemetry(globalOptions()));
    app.post('/echo', (_req, res) => {
      res.write('a');
      res.end('b');
    });
    const url = await servers.start(app);
    expect((await post(`${url}/echo`, '{}')).text).to.equal('ab');
    expect(telemetry.records()).to.have.lengthOf(0);
  });
});
