/** Every error class: its status, a body of exactly {"error": string}, and a message that names the fault. */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import express from 'express';
import { errorHandler } from '../src/http/errors.js';
import { silentLogger } from '../src/index.js';
import { encodeModel, node, valueInfo } from '../../../scripts/onnx/graph.js';
import type { JsonResponse } from '../../../test/support/http.js';
import { expectError, getJson, postBinary, postJson, postRaw, readJson } from '../../../test/support/http.js';
import { addModel, reshapeToOneModel } from '../../../test/support/models.js';
import { GARBAGE_MODEL } from '../../../test/support/repository.js';
import type { TestServer } from '../../../test/support/server.js';
import { serveModels } from '../../../test/support/server.js';

const IRIS_MODEL = readFileSync(new URL('../../../models/iris/1/model.onnx', import.meta.url));
const ROWS = [
  [6.8, 2.8, 4.8, 1.4],
  [6.0, 3.4, 4.5, 1.6],
];
const irisInput = { name: 'input', datatype: 'FP32', shape: [2, 4], data: ROWS };
const JSON_TYPE = { 'content-type': 'application/json' };

/** `y` = -`x`, FP32 with two dynamic axes that have no name (no ONNX dim_param). */
function negateUnnamedAxesModel(): Uint8Array {
  return encodeModel({
    name: 'negate',
    inputs: [valueInfo('x', 'float32', [null, null])],
    outputs: [valueInfo('y', 'float32', [null, null])],
    nodes: [node('Neg', ['x'], ['y'])],
  });
}

/** Sends raw bytes over a fresh TCP connection, ending it, and returns what the server wrote of its first answer. */
async function rawExchange(port: number, bytes: string): Promise<string> {
  const [answer] = await exchangesOnOneConnection(port, [bytes], { endAfterLast: true });
  return answer;
}

interface ExchangeOptions {
  /**
   * Ends the sending side after the last request, for a request the server only
   * gives up on once it sees the end (a body cut short). Off by default: the
   * connection stays open, as a keep-alive client's would.
   */
  readonly endAfterLast?: boolean;
}

/**
 * Sends each request in turn over one keep-alive TCP connection, waiting for
 * each answer's whole body (by its Content-Length), and returns the answers.
 * When the server closes the connection first, the last entry is what it wrote
 * of the answer it was on (an answer without a Content-Length, or nothing).
 */
function exchangesOnOneConnection(
  port: number,
  requests: readonly (string | Buffer)[],
  options: ExchangeOptions = {},
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const answers: string[] = [];
    let pending = '';
    const sendNext = (): void => {
      const request = requests[answers.length];
      if (options.endAfterLast === true && answers.length === requests.length - 1) socket.end(request);
      else socket.write(request);
    };
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('close', () => resolve([...answers, pending]));
    socket.on('data', (chunk: string) => {
      pending += chunk;
      const headEnd = pending.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(pending.slice(0, headEnd))?.[1];
      if (headEnd < 0 || length === undefined || pending.length < headEnd + 4 + Number(length)) return;
      answers.push(pending.slice(0, headEnd + 4 + Number(length)));
      pending = '';
      if (answers.length === requests.length) {
        socket.removeAllListeners('close');
        socket.destroy();
        resolve(answers);
      } else sendNext();
    });
    sendNext();
  });
}

describe('errors', () => {
  let served: TestServer;
  const url = (path: string): string => `${served.url}${path}`;
  const infer = (body: unknown, model = 'iris'): Promise<JsonResponse> =>
    postJson(url(`/v2/models/${model}/infer`), body);
  const predict = (body: unknown, model = 'iris'): Promise<JsonResponse> =>
    postJson(url(`/v1/models/${model}:predict`), body);
  const inferRaw = (body: string | Uint8Array, headers: Record<string, string> = JSON_TYPE): Promise<JsonResponse> =>
    postRaw(url('/v2/models/iris/infer'), body, headers);
  const predictRaw = (body: string | Uint8Array, headers: Record<string, string> = JSON_TYPE): Promise<JsonResponse> =>
    postRaw(url('/v1/models/iris:predict'), body, headers);

  before(async () => {
    served = await serveModels([
      { name: 'iris', versions: { '1': IRIS_MODEL }, config: { task: 'classification', maxBatchSize: 2 } },
      { name: 'add', versions: { '1': addModel() } },
      { name: 'negate', versions: { '1': negateUnnamedAxesModel() } },
      { name: 'broken', versions: { '1': GARBAGE_MODEL } },
      { name: 'empty', versions: {} },
      { name: 'misconfigured', versions: { '1': addModel() }, config: '{"task": ' },
      { name: 'fractional_batch', versions: { '1': addModel() }, config: { maxBatchSize: 2.5 } },
      { name: 'fails_at_run', versions: { '1': reshapeToOneModel() } },
    ]);
  });

  after(async () => {
    await served?.close();
  });

  // KServe's Python SDK reads an error's message only when Content-Type is exactly application/json.
  it('answers errors as application/json without a charset, on the direct path and through Express', async () => {
    const answers = [
      await infer({ inputs: [irisInput] }, 'nope'),
      await predict({ instances: ROWS }, 'nope'),
      await getJson(url('/v1/models/nope')),
      await getJson(url('/v2/models/nope')),
      await getJson(url('/openai/v1/models/nope')),
    ];
    for (const answer of answers) expect(answer.headers.get('content-type')).to.equal('application/json');
  });

  describe('400: the request is malformed or does not fit the model', () => {
    it('says a body holding a 64-bit integer is nested too deeply, not that it is not JSON', async () => {
      // The lossless reader, which a run of 16 digits calls on, recurses where JSON.parse does not.
      const deep = `{"instances": ${'['.repeat(10_000)}12345678901234567${']'.repeat(10_000)}}`;
      const answer = await predictRaw(deep);
      expectError(answer, 400, 'the request body is nested too deeply to read');
      expect(answer.body.error).to.not.include('not valid JSON');
    });

    it('rejects a body that is not valid JSON', async () => {
      expectError(await inferRaw('{"inputs": ['), 400, 'the request body is not valid JSON');
      expectError(await predictRaw('{instances}'), 400, 'the request body is not valid JSON');
    });

    it('rejects a body that is not UTF-8, whose text would reach the model as U+FFFD', async () => {
      const latin1 = Buffer.from('{"instances": [[6.8, 2.8, 4.8, 1.4]], "id": "caf\u00e9"}', 'latin1');
      expectError(await predictRaw(latin1), 400, 'the request body is not valid UTF-8, which JSON text must be');
      expectError(await inferRaw(latin1), 400, 'the request body is not valid UTF-8');
    });

    describe('a \\u escape of half a surrogate pair, which JSON.parse lets through as no text', () => {
      const withId = (id: string): string => `{"id": "${id}", "inputs": [${JSON.stringify(irisInput)}]}`;
      for (const [what, id, escape] of [
        ['a high half alone', 'a\\ud800b', '\\ud800'],
        ['a low half alone', '\\uDFFF', '\\uDFFF'],
        ['a high half before another escape', '\\ud83d\\u0041', '\\ud83d'],
        ['a high half at the end of the body', '\\udbff', '\\udbff'],
        ['the halves the wrong way round', '\\ude00\\ud83d', '\\ude00'],
      ]) {
        it(`rejects ${what}, naming the escape`, async () => {
          expectError(await inferRaw(withId(id)), 400, `the request body holds ${escape}, half a surrogate pair`);
        });
      }

      it('takes a pair, as Python escapes an emoji, and an escaped backslash before u', async () => {
        for (const id of ['\\ud83d\\ude00', '\\\\ud800', '\\\\\\ud83d\\ude00']) {
          const answer = await inferRaw(withId(id));
          expect(answer.status, `${id}: ${JSON.stringify(answer.body)}`).to.equal(200);
          expect(answer.body.id).to.equal(JSON.parse(`"${id}"`));
        }
      });
    });

    it('rejects an empty body, and a body that breaks the protocol structure', async () => {
      expectError(await inferRaw(''), 400, 'the request body is empty');
      expectError(await infer({ inputs: {} }), 400, "'inputs' must be a non-empty array, got an object");
      expectError(
        await infer({ inputs: [{ ...irisInput, datatype: 'FLOAT' }] }),
        400,
        `input 'input': datatype must be one of the protocol's datatypes, got string "FLOAT"`,
      );
      expectError(await predict({ instances: [] }), 400, '"instances" must be a non-empty array');
    });

    it("rejects a datatype other than the input's", async () => {
      const response = await infer({ inputs: [{ ...irisInput, datatype: 'FP64' }] });
      expectError(response, 400, "input 'input': expected datatype FP32, got FP64");
    });

    it('rejects a shape the input does not take', async () => {
      const response = await infer({ inputs: [{ ...irisInput, shape: [4, 2], data: ROWS.flat() }] });
      expectError(response, 400, "input 'input': expected shape [-1, 4], got [4, 2]");
      expectError(await predict({ instances: [[1, 2, 3]] }), 400, "input 'input': expected shape [-1, 4], got [1, 3]");
    });

    it("rejects an input of another rank than the model's, naming the shape it takes", async () => {
      const response = await infer({ inputs: [{ ...irisInput, shape: [1, 4, 1], data: ROWS[0] }] });
      expectError(response, 400, "input 'input': expected shape [-1, 4], got [1, 4, 1]");
    });

    it('rejects data whose element count differs from the shape', async () => {
      const response = await infer({ inputs: [{ ...irisInput, data: ROWS[0] }] });
      expectError(response, 400, "input 'input': shape [2, 4] holds 8 elements, but data has 4");
    });

    it('rejects an element that is not of the datatype, naming its index', async () => {
      const response = await infer({ inputs: [{ ...irisInput, data: [6.8, 2.8, '4.8', 1.4, ...ROWS[1]] }] });
      expectError(response, 400, `input 'input': element 2 is "4.8", which is not a valid FP32 value`);
    });

    it('rejects an input the model does not have', async () => {
      const response = await infer({ inputs: [irisInput, { ...irisInput, name: 'features' }] });
      expectError(response, 400, "model 'iris' has no input 'features'; its inputs are 'input'");
    });

    it('rejects a request that lacks an input', async () => {
      const response = await infer({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1], data: [1] }] }, 'add');
      expectError(response, 400, "model 'add' needs input 'b', which the request lacks");
    });

    it('rejects inputs that give one named dimension (ONNX dim_param) different sizes, naming both', async () => {
      const tensor = (name: string, data: number[]) => ({ name, datatype: 'FP32', shape: [data.length], data });
      const response = await infer({ inputs: [tensor('a', [1, 2]), tensor('b', [1, 2, 3])] }, 'add');
      const message = "dimension 'batch' must have one size: input 'a' gives it 2, input 'b' gives it 3";
      expectError(response, 400, message);
      expectError(await predict({ inputs: { a: [1, 2], b: [1, 2, 3] } }, 'add'), 400, message);
      const same = await infer({ inputs: [tensor('a', [1, 2]), tensor('b', [3, 4])] }, 'add');
      expect(same.body.outputs[0].data).to.deep.equal([4, 6]);
      const metadata = await getJson(url('/v2/models/add'));
      expect(metadata.body.inputs, 'metadata still shows -1').to.deep.equal([
        { name: 'a', datatype: 'FP32', shape: [-1] },
        { name: 'b', datatype: 'FP32', shape: [-1] },
      ]);
    });

    it('takes dynamic axes without a name (no dim_param) at different sizes, as axes of no shared dimension', async () => {
      const response = await infer(
        { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }] },
        'negate',
      );
      expect(response.status, JSON.stringify(response.body)).to.equal(200);
      expect(response.body.outputs).to.deep.equal([
        { name: 'y', datatype: 'FP32', shape: [2, 3], data: [-1, -2, -3, -4, -5, -6] },
      ]);
    });

    it('rejects a dimension onnxruntime cannot take, in a shape of no elements, and takes the largest it can', async () => {
      const empty = (shape: number[]) =>
        infer({ inputs: [{ name: 'x', datatype: 'FP32', shape, data: [] }] }, 'negate');
      expectError(await empty([0, 2 ** 32]), 400, "input 'x': dimension 4294967296 is larger than 4294967295");
      expectError(await empty([2 ** 52, 0]), 400, "input 'x': dimension 4503599627370496 is larger than 4294967295");
      expectError(await empty([0, 1e21]), 400, "input 'x'.shape must hold non-negative integers");
      const largest = await empty([0, 2 ** 32 - 1]);
      expect(largest.status, JSON.stringify(largest.body)).to.equal(200);
      expect(largest.body.outputs[0])
        .to.include({ name: 'y' })
        .and.deep.include({ shape: [0, 2 ** 32 - 1], data: [] });
    });

    it('rejects an output the model does not have', async () => {
      const response = await infer({ inputs: [irisInput], outputs: [{ name: 'score' }] });
      expectError(response, 400, "model 'iris' has no output 'score'; its outputs are 'label', 'probabilities'");
    });

    it("rejects a batch larger than the model's maxBatchSize", async () => {
      const rows = [...ROWS, ROWS[0]];
      const response = await infer({ inputs: [{ ...irisInput, shape: [3, 4], data: rows }] });
      expectError(response, 400, "input 'input': batch size 3 exceeds the model's maximum of 2");
      expectError(await predict({ instances: rows }), 400, 'batch size 3 exceeds');
      expect((await infer({ inputs: [irisInput] })).status).to.equal(200);
    });

    it('rejects binary data that does not match what the inputs declare', async () => {
      const header = {
        inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }],
      };
      const short = await readJson(await postBinary(url('/v2/models/iris/infer'), header, [new Uint8Array(8)]));
      expectError(short, 400, "input 'input' declares 16 bytes of binary data, but only 8 remain");
      const long = await readJson(await postBinary(url('/v2/models/iris/infer'), header, [new Uint8Array(20)]));
      expectError(long, 400, 'the body holds 4 bytes of binary data that no input declares');
      const beyond = await inferRaw('{}', {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': '99',
      });
      expectError(beyond, 400, 'inference-header-content-length is 99, but the body has 2 bytes');
      // Decimal digits only, as HTTP writes lengths: `Number` would read these as 2.
      for (const written of ['0x2', '2e0', '+2']) {
        const odd = await inferRaw('{}', {
          'content-type': 'application/octet-stream',
          'inference-header-content-length': written,
        });
        expectError(odd, 400, `inference-header-content-length must be a non-negative integer, got '${written}'`);
      }
    });

    it('refuses bytes after the JSON of a V1 predict body, whose protocol has no binary tensor data', async () => {
      const json = JSON.stringify({ instances: ROWS });
      const body = Buffer.concat([Buffer.from(json), new Uint8Array(16)]);
      const headers = {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': `${json.length}`,
      };
      expectError(
        await predictRaw(body, headers),
        400,
        'the body holds 16 bytes after its JSON; binary tensor data (inference-header-content-length) is for V2 infer only',
      );
      // The header naming the whole body is harmless: there is nothing after the JSON.
      const whole = await predictRaw(json, { ...JSON_TYPE, 'inference-header-content-length': `${json.length}` });
      expect(whole.status).to.equal(200);
    });

    // tritonclient sends np.zeros((0, 4)) as binary_data_size 0 and no bytes after the JSON header.
    it('reads an empty binary tensor, and rejects an empty binary section for a shape that holds elements', async () => {
      const binaryInput = (shape: number[]) => ({
        inputs: [{ name: 'input', datatype: 'FP32', shape, parameters: { binary_data_size: 0 } }],
      });
      const inferBinary = async (shape: number[]) =>
        readJson(await postBinary(url('/v2/models/iris/infer'), binaryInput(shape), []));
      const empty = await inferBinary([0, 4]);
      expect(empty.status, JSON.stringify(empty.body)).to.equal(200);
      expect(empty.body.outputs.map((output: { shape: number[] }) => output.shape[0])).to.deep.equal([0, 0]);
      expectError(await inferBinary([1, 4]), 400, "input 'input': expected 16 bytes of binary data");
    });
  });

  describe('404: no such model, version or endpoint', () => {
    it('answers an unknown model on every model endpoint', async () => {
      const message = "model 'nope' is not in the repository";
      expectError(await getJson(url('/v2/models/nope')), 404, message);
      expectError(await getJson(url('/v2/models/nope/ready')), 404, message);
      expectError(await infer({ inputs: [irisInput] }, 'nope'), 404, message);
      expectError(await getJson(url('/v1/models/nope')), 404, message);
      expectError(await predict({ instances: ROWS }, 'nope'), 404, message);
    });

    it('answers an unknown version', async () => {
      const response = await postJson(url('/v2/models/iris/versions/2/infer'), { inputs: [irisInput] });
      expectError(response, 404, "model 'iris' has no version '2' (versions: 1)");
    });

    it('answers an unknown route', async () => {
      expectError(await getJson(url('/v3')), 404, 'no endpoint answers GET /v3');
    });

    it('answers 405 with Allow for a known path asked with another method, as Triton and KServe do', async () => {
      const cases: [string, string, string][] = [
        ['GET', '/v2/models/iris/infer', 'POST'],
        ['POST', '/v2/health/ready', 'GET, HEAD'],
        ['DELETE', '/v2/models/iris', 'GET, HEAD'],
        ['PUT', '/v1/models', 'GET, HEAD'],
        ['PUT', '/v1/models/iris:predict', 'POST'],
        ['GET', '/v1/models/iris:predict', 'POST'],
        ['GET', '/v1/models/iris:explain', 'POST'],
        ['DELETE', '/v1/models/iris', 'GET, HEAD'],
        ['GET', '/openai/v1/embeddings', 'POST'],
      ];
      for (const [method, path, allow] of cases) {
        const answer = await fetch(url(path), { method });
        const body = (await answer.json()) as { error: unknown };
        expect(answer.status, `${method} ${path}`).to.equal(405);
        expect(answer.headers.get('allow'), `${method} ${path}`).to.equal(allow);
        const message = `${method} is not allowed on ${path}; it answers ${allow}`;
        expect(path.startsWith('/openai/') ? (body.error as { message: string }).message : body.error).to.equal(
          message,
        );
      }
    });
  });

  describe('413: a body over maxBodyBytes', () => {
    let small: TestServer;

    before(async () => {
      small = await serveModels([{ name: 'add', versions: { '1': addModel() } }], { maxBodyBytes: 256 });
    });

    after(async () => {
      await small?.close();
    });

    it('answers 413 naming the limit, and still serves bodies within it', async () => {
      const many = Array.from({ length: 100 }, (_, i) => i);
      const tensor = (name: string) => ({ name, datatype: 'FP32', shape: [100], data: many });
      const big = await postJson(`${small.url}/v2/models/add/infer`, { inputs: [tensor('a'), tensor('b')] });
      expectError(big, 413, 'the request body is larger than the limit of 256 bytes');
      const bigV1 = await postJson(`${small.url}/v1/models/add:predict`, { inputs: { a: many, b: many } });
      expectError(bigV1, 413, 'the request body is larger than the limit of 256 bytes');
      const fits = await postJson(`${small.url}/v1/models/add:predict`, { instances: [{ a: 1, b: 2 }] });
      expect(fits.body).to.deep.equal({ predictions: [3] });
    });

    it('accepts a body of exactly maxBodyBytes and refuses one byte more', async () => {
      const body = JSON.stringify({ instances: [{ a: 1, b: 2 }] });
      const padded = (length: number) => body + ' '.repeat(length - body.length);
      const exact = await postRaw(`${small.url}/v1/models/add:predict`, padded(256), JSON_TYPE);
      expect(exact.body).to.deep.equal({ predictions: [3] });
      const over = await postRaw(`${small.url}/v1/models/add:predict`, padded(257), JSON_TYPE);
      expectError(over, 413, 'the request body is larger than the limit of 256 bytes');
    });

    it('answers 413 for a compressed body over the limit as sent or once decoded', async () => {
      const predictGzip = (body: Buffer) =>
        postRaw(`${small.url}/v1/models/add:predict`, body, { ...JSON_TYPE, 'content-encoding': 'gzip' });
      const inflatesPastLimit = gzipSync(JSON.stringify({ instances: [{ a: 1, b: 2 }], pad: ' '.repeat(10_000) }));
      expect(inflatesPastLimit.length, 'small as sent').to.be.below(256);
      expectError(await predictGzip(inflatesPastLimit), 413, 'the request body is larger than the limit of 256 bytes');
      // Empty gzip members inflate to nothing: a body over the limit as sent that decodes small.
      const emptyMembers = Array.from({ length: 20 }, () => gzipSync(''));
      const sentPastLimit = Buffer.concat([...emptyMembers, gzipSync(JSON.stringify({ instances: [{ a: 1, b: 2 }] }))]);
      expect(sentPastLimit.length, 'large as sent').to.be.above(256);
      expectError(await predictGzip(sentPastLimit), 413, 'the request body is larger than the limit of 256 bytes');
      const fits = await predictGzip(gzipSync(JSON.stringify({ instances: [{ a: 1, b: 2 }] })));
      expect(fits.body).to.deep.equal({ predictions: [3] });
    });

    it('answers the next request on a keep-alive connection after refusing a large chunked body', async () => {
      const host = `Host: 127.0.0.1:${small.server.port}`;
      const oversized = Buffer.alloc(4 * 1024 * 1024, 'a');
      const chunked = Buffer.concat([
        Buffer.from(`POST /v1/models/add:predict HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\n`),
        Buffer.from(`Transfer-Encoding: chunked\r\n\r\n${oversized.length.toString(16)}\r\n`),
        oversized,
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
      const body = JSON.stringify({ instances: [{ a: 1, b: 2 }] });
      const next =
        `POST /v1/models/add:predict HTTP/1.1\r\n${host}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body}`;
      const [refused, answered] = await exchangesOnOneConnection(small.server.port, [chunked, next]);
      expect(refused).to.match(/^HTTP\/1\.1 413/);
      expect(answered, 'an answer on the same connection').to.match(/^HTTP\/1\.1 200/);
      expect(answered).to.include('{"predictions":[3]}');
    });
  });

  describe('415: a body that is not JSON', () => {
    it('answers 415 naming the content type', async () => {
      const text = await inferRaw(JSON.stringify({ inputs: [irisInput] }), { 'content-type': 'text/plain' });
      expectError(text, 415, "Content-Type must be application/json, got 'text/plain'");
      const xml = await predictRaw(JSON.stringify({ instances: ROWS }), { 'content-type': 'application/xml' });
      expectError(xml, 415, "Content-Type must be application/json, got 'application/xml'");
    });

    it("reads a body without a Content-Type, or with curl's default one, as JSON", async () => {
      const body = JSON.stringify({ instances: ROWS });
      const untyped = await predictRaw(new TextEncoder().encode(body), {});
      expect(untyped.body).to.deep.equal({ predictions: [1, 1] });
      const curl = await predictRaw(body, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(curl.body).to.deep.equal({ predictions: [1, 1] });
    });

    it('answers 415 for an application/octet-stream body without Inference-Header-Content-Length', async () => {
      const octets = await inferRaw(JSON.stringify({ inputs: [irisInput] }), {
        'content-type': 'application/octet-stream',
      });
      expectError(octets, 415, "Content-Type must be application/json, got 'application/octet-stream'");
    });
  });

  describe('503: a model that failed to load', () => {
    it('answers ready, metadata and infer of a broken model file with the load failure', async () => {
      const failure = /^model 'broken' version 1 failed to load: .*Protobuf parsing failed/;
      expectError(await getJson(url('/v2/models/broken/ready')), 503, failure);
      expectError(await getJson(url('/v2/models/broken/versions/1/ready')), 503, failure);
      expectError(await getJson(url('/v2/models/broken')), 503, failure);
      expectError(await infer({ inputs: [irisInput] }, 'broken'), 503, failure);
      expectError(await getJson(url('/v1/models/broken')), 503, failure);
      expectError(await predict({ instances: ROWS }, 'broken'), 503, failure);
    });

    it('answers a model folder without versions, and a model whose config is not valid JSON or not valid', async () => {
      expectError(
        await getJson(url('/v2/models/empty/ready')),
        503,
        "model 'empty' version 1 failed to load: the model folder holds no version folder",
      );
      expectError(
        await getJson(url('/v2/models/misconfigured/ready')),
        503,
        /^model 'misconfigured' version 1 failed to load: invalid .*config\.json/,
      );
      expectError(
        await getJson(url('/v2/models/fractional_batch/ready')),
        503,
        /^model 'fractional_batch' version 1 failed to load: .*"maxBatchSize" must be a non-negative integer, got 2\.5/,
      );
    });

    it('keeps serving the other models, and reports the server ready once loading has finished', async () => {
      expect((await infer({ inputs: [irisInput] })).status).to.equal(200);
      expect((await getJson(url('/v2/models/iris/ready'))).status).to.equal(200);
      expect((await getJson(url('/v2/health/ready'))).status).to.equal(200);
    });
  });

  describe('500: a model that fails while it runs', () => {
    it("answers 500 with onnxruntime's reason and no stack trace, and keeps serving the model", async () => {
      const three = await infer(
        { inputs: [{ name: 'x', datatype: 'FP32', shape: [3], data: [1, 2, 3] }] },
        'fails_at_run',
      );
      expectError(three, 500, /^onnxruntime failed to run the model: .*Reshape/);
      expect(three.body.error).to.not.match(/\n\s+at /);
      expect(three.body.error).to.not.include('.ts:');
      expectError(await predict({ instances: [1, 2] }, 'fails_at_run'), 500, 'onnxruntime failed to run the model');
      const one = await infer({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [7] }] }, 'fails_at_run');
      expect(one.status).to.equal(200);
      expect(one.body.outputs[0].data).to.deep.equal([7]);
    });
  });

  describe('robustness', () => {
    const octets = (headerLength: string) => ({
      'content-type': 'application/octet-stream',
      'inference-header-content-length': headerLength,
    });

    it('survives a burst of malformed requests and still predicts', async () => {
      const garbage = new Uint8Array(512).map((_, i) => (i * 151 + 7) % 256);
      const tensor = (fields: string): string => `{"inputs": [{"name": "input", "datatype": "FP32", ${fields}}]}`;
      const answers = await Promise.all([
        inferRaw(garbage),
        inferRaw('{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "data": [1, 2'),
        inferRaw('null'),
        inferRaw('[[[[[]]]]]'),
        inferRaw(tensor('"shape": [1e300, 4], "data": [1]')),
        inferRaw(tensor('"shape": [-1, 4], "data": [1, 2, 3, 4]')),
        inferRaw('{"inputs": [{"name": "input", "datatype": "BOOL", "shape": [1, 4], "data": [1, 2, 3, 4]}]}'),
        inferRaw('{"inputs": [{"name": "__proto__", "datatype": "FP32", "shape": [1], "data": [1]}]}'),
        inferRaw(garbage, octets('-5')),
        inferRaw(garbage, octets('3')),
        predictRaw('{"instances": [{"input": {"nested": true}}]}'),
        predictRaw('{"instances": [[1, 2, 3, 4], [5, 6, 7]]}'),
        predictRaw('{"inputs": {"constructor": [1]}}'),
        predictRaw('"instances"'),
      ]);
      for (const answer of answers) {
        expect(answer.status, JSON.stringify(answer.body)).to.be.within(400, 499);
        expect(Object.keys(answer.body)).to.deep.equal(['error']);
      }
      const notHttp = await rawExchange(served.server.port, 'THIS IS NOT HTTP\r\n\r\n');
      expect(notHttp).to.match(/^HTTP\/1\.1 400/);
      const cutShort = await rawExchange(
        served.server.port,
        'POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n[[1,',
      );
      expect(cutShort, 'neither an answer nor a server error').to.not.match(/^HTTP\/1\.1 [25]/);
      expect((await predict({ instances: ROWS })).body).to.deep.equal({ predictions: [1, 1] });
    });

    it('reads a body compressed with gzip, deflate or br', async () => {
      const body = JSON.stringify({ instances: ROWS });
      for (const [encoding, compress] of [
        ['gzip', gzipSync],
        ['deflate', deflateSync],
        ['br', brotliCompressSync],
      ] as const) {
        const response = await predictRaw(compress(body), { ...JSON_TYPE, 'content-encoding': encoding });
        expect(response.body, encoding).to.deep.equal({ predictions: [1, 1] });
      }
    });

    it('answers 415 for a Content-Encoding it cannot undo, including names of object properties', async () => {
      for (const encoding of ['zstd', 'constructor', '__proto__']) {
        const response = await predictRaw(JSON.stringify({ instances: ROWS }), {
          ...JSON_TYPE,
          'content-encoding': encoding,
        });
        expectError(response, 415, `unsupported Content-Encoding '${encoding}'`);
      }
      expect((await predict({ instances: ROWS })).body, 'the server still answers').to.deep.equal({
        predictions: [1, 1],
      });
    });

    it('rejects deeply nested data with 400', async () => {
      const depth = 20_000;
      const response = await inferRaw(
        `{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "data": ${'['.repeat(
          depth,
        )}1${']'.repeat(depth)}}]}`,
      );
      expectError(response, 400, /.+/);
    });

    // Nested deeper than JSON.stringify can recurse, so that an error message that wrote them whole would fail itself.
    it('rejects a deeply nested shape or OpenAI option with 400, naming it by its kind', async () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const shape = await inferRaw(
        `{"inputs": [{"name": "input", "datatype": "FP32", "shape": [${deep}], "data": []}]}`,
      );
      expectError(shape, 400, "input 'input'.shape must hold non-negative integers, got an array among them");
      for (const [field, message] of [
        ['encoding_format', '"encoding_format" must be one of float, base64, got an array'],
        ['dimensions', '"dimensions" must be a positive integer, got an array'],
      ]) {
        const body = `{"model": "iris", "input": "a", "${field}": ${deep}}`;
        const response = await postRaw(url('/openai/v1/embeddings'), body, JSON_TYPE);
        expect(response.status, JSON.stringify(response.body)).to.equal(400);
        expect(response.body.error.message).to.equal(message);
      }
      expect((await predict({ instances: ROWS })).body, 'the server still answers').to.deep.equal({
        predictions: [1, 1],
      });
    });

    it('rejects a gzip body that does not inflate with 400', async () => {
      const corrupt = gzipSync(JSON.stringify({ instances: ROWS })).subarray(0, 20);
      expectError(await predictRaw(corrupt, { ...JSON_TYPE, 'content-encoding': 'gzip' }), 400, /.+/);
    });

    it('rejects a model name that is not valid percent-encoding with 400, on every model endpoint', async () => {
      expectError(await getJson(url('/v2/models/%E0%A4%A/ready')), 400, /.+/);
      expectError(await infer({ inputs: [irisInput] }, '%E0%A4%A'), 400, "Failed to decode param '%E0%A4%A'");
      expectError(await predict({ instances: ROWS }, '%E0%A4%A'), 400, "Failed to decode param '%E0%A4%A:predict'");
    });
  });

  describe('errors that carry an HTTP status, as raw-body and Express raise them', () => {
    let app: Server;
    let appUrl: string;

    before(async () => {
      const routes = express();
      routes.get('/status/:status', (req) => {
        throw Object.assign(new Error('internal detail'), { status: Number(req.params.status) });
      });
      routes.use(errorHandler(silentLogger));
      app = routes.listen(0, '127.0.0.1');
      await new Promise((resolve) => app.once('listening', resolve));
      appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    });

    after(async () => {
      await new Promise((resolve) => app?.close(resolve));
    });

    it("answers a 4xx as the client's fault with its message, and a 5xx as a generic 500", async () => {
      expectError(await getJson(`${appUrl}/status/400`), 400, 'the request could not be read: internal detail');
      const serverFault = await getJson(`${appUrl}/status/502`);
      expectError(serverFault, 500, 'internal server error');
      expect(serverFault.body.error).to.not.include('internal detail');
    });
  });
});
